package store

import (
	"context"
	"fmt"
	"strings"
)

// TableRows reads every row of a table, ordered by orderBy, as text lines.
func TableRows(ctx context.Context, s *Store, table, orderBy string) ([]string, error) {
	rows, err := s.r.WithContext(ctx).Raw("SELECT * FROM " + table + " ORDER BY " + orderBy).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = fmt.Sprint(portable(v))
		}
		out = append(out, strings.Join(parts, "|"))
	}
	return out, rows.Err()
}

// Exec runs a statement on the store's writer (tests that change the schema).
func Exec(s *Store, sql string) error { return s.w.Exec(sql).Error }
