// The REST API of issue 3, the only way the pages talk to the server.

export class ApiError extends Error {
  constructor(status, body) {
    const err = body?.error ?? {};
    super(err.message || `HTTP ${status}`);
    this.status = status;
    this.code = err.code;
    this.fields = err.fields ?? {};
    this.existingId = err.existing_id; // a duplicate donor's id, with a conflict (issue 14)
  }
}

export async function api(path, { method = 'GET', body, headers: extra = {} } = {}) {
  const headers = { Accept: 'application/json', ...extra };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// itemsOf reads a list answer ({"items": [...], "next": ...}, or a bare array).
export const itemsOf = (data) => (Array.isArray(data) ? data : data?.items ?? []);

// query builds "?a=1&b=2" from the non-empty values of params.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// fetchAll follows the cursor of a list endpoint (for the option lists of the forms).
export async function fetchAll(path, params = {}, max = 5000) {
  const items = [];
  let cursor = '';
  do {
    const page = await api(path + query({ ...params, limit: 1000, cursor }));
    items.push(...itemsOf(page));
    cursor = page?.next ?? '';
  } while (cursor && items.length < max);
  return items;
}

export const fundPath = (code) => `/funds/${encodeURIComponent(code)}`;
