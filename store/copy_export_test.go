package store

// SetCopyBatch sets how many rows one INSERT of Copy carries, until the returned function restores it.
func SetCopyBatch(n int) (restore func()) {
	old := copyBatch
	copyBatch = n
	return func() { copyBatch = old }
}
