// el builds an element: el('a', {href: '/', class: 'x'}, 'text', child). Text is always set
// as text (never parsed as HTML); attributes set through the DOM keep the page CSP-clean.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  node.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
  return node;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

export function setStatus(text, isError = false) {
  const status = $('#status');
  if (!status) return;
  status.textContent = text;
  status.classList.toggle('error', isError);
  status.hidden = !text;
}
