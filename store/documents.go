package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/fundtracker/fundtracker/models"
	"gorm.io/gorm"
)

// Issue 16: documents attached to pledges and contributions, stored in the
// database in chunks (so that every instance sees them, and so that they go
// in and out without ever being held whole in memory).

// DocumentChunkSize is the size of a stored chunk.
const DocumentChunkSize = 256 << 10

type documentRow struct {
	ID              int64 `gorm:"primaryKey"`
	RecordType      string
	RecordID        int64
	FundID          int64
	Filename        string
	ContentType     string
	Size            int64
	SHA256          string `gorm:"column:sha256"`
	Kind            string
	Note            string
	UploadedBy      string
	UploadedAt      time.Time
	SupersededAt    *time.Time
	SupersededBy    string
	SupersedeReason string
	Complete        bool
}

func (documentRow) TableName() string { return "documents" }

func (r documentRow) model() models.Document {
	return models.Document{ID: r.ID, RecordType: r.RecordType, RecordID: r.RecordID, FundID: r.FundID, Filename: r.Filename,
		ContentType: r.ContentType, Size: r.Size, SHA256: r.SHA256, Kind: r.Kind, Note: r.Note, UploadedBy: r.UploadedBy,
		UploadedAt: r.UploadedAt.UTC(), Superseded: r.SupersededAt != nil, SupersededAt: utcPtr(r.SupersededAt),
		SupersededBy: r.SupersededBy, SupersedeReason: r.SupersedeReason}
}

// DocumentFile is models.DocumentFile.
type DocumentFile = models.DocumentFile

var recordTables = map[string]string{models.RecordPledge: "pledges", models.RecordContribution: "contributions"}

// recordFund reads the fund of a pledge or a contribution (not_found when none).
func recordFund(db *gorm.DB, recordType string, id int64) (int64, error) {
	table, ok := recordTables[recordType]
	if !ok {
		return 0, models.Errorf(models.ENOTFOUND, "No %s documents.", recordType)
	}
	var ids []int64
	if err := db.Raw("SELECT fund_id FROM "+table+" WHERE id = ?", id).Scan(&ids).Error; err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, notFound(recordType, id)
	}
	return ids[0], nil
}

// chunksPerTransaction is how many chunks one writer transaction stores: an
// upload never holds the single writer (or a transaction's pages in memory)
// for more than about a megabyte.
const chunksPerTransaction = 4

// AddDocument attaches a file to a pledge or a contribution. The bytes are
// copied a chunk at a time, a few chunks per transaction, into a row that is
// not yet a document; the last transaction completes it, with its audit row.
// An upload that fails halfway leaves nothing visible, and its chunks are
// removed. With an Idempotency-Key, the same upload again answers the first
// answer (checked before any byte is stored, and again when completing).
func (s *Store) AddDocument(ctx context.Context, a models.Actor, recordType string, recordID int64, in models.DocumentInput,
	f DocumentFile, idem Idempotency) (models.Document, *Replay, error) {
	in, p := in.Validate()
	if err := p.Err(); err != nil {
		return models.Document{}, nil, err
	}
	var row documentRow
	var rep *Replay
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		var err error
		if rep, err = s.replayed(tx, a, idem); err != nil || rep != nil {
			return err
		}
		fundID, err := recordFund(tx, recordType, recordID)
		if err != nil {
			return err
		}
		row = documentRow{RecordType: recordType, RecordID: recordID, FundID: fundID, Filename: in.Filename,
			ContentType: f.ContentType, Size: f.Size, SHA256: f.SHA256, Kind: in.Kind, Note: in.Note,
			UploadedBy: a.Email, UploadedAt: s.now()}
		return tx.Create(&row).Error
	})
	if err != nil || rep != nil {
		return models.Document{}, rep, wrap("add document", err)
	}
	out, rep, err := s.storeChunks(ctx, a, row, f, idem)
	if err != nil || rep != nil {
		// Not a document yet: its partial bytes are removed (nothing else refers to them).
		cerr := s.writer.do(context.WithoutCancel(ctx), func(tx *gorm.DB) error {
			if err := tx.Exec("DELETE FROM document_chunks WHERE document_id = ?", row.ID).Error; err != nil {
				return err
			}
			return tx.Exec("DELETE FROM documents WHERE id = ? AND complete = ?", row.ID, false).Error
		})
		if cerr != nil {
			s.log.Warn("incomplete upload not removed", "document_id", row.ID, "error", cerr)
		}
		return models.Document{}, rep, wrap("add document", err)
	}
	return out, nil, nil
}

func (s *Store) storeChunks(ctx context.Context, a models.Actor, row documentRow, f DocumentFile, idem Idempotency) (models.Document, *Replay, error) {
	if _, err := f.Content.Seek(0, io.SeekStart); err != nil {
		return models.Document{}, nil, err
	}
	buf := make([]byte, DocumentChunkSize)
	var stored int64
	seq, eof := 0, false
	for !eof {
		start := seq
		// Each transaction reads its chunks again from where it started, should it run twice.
		err := s.writer.do(ctx, func(tx *gorm.DB) error {
			if _, err := f.Content.Seek(int64(start)*DocumentChunkSize, io.SeekStart); err != nil {
				return err
			}
			seq, eof = start, false
			for range chunksPerTransaction {
				n, err := io.ReadFull(f.Content, buf)
				if n > 0 {
					if err := tx.Exec("INSERT INTO document_chunks (document_id, seq, data) VALUES (?, ?, ?)", row.ID, seq, buf[:n]).Error; err != nil {
						return err
					}
					seq++
				}
				if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
					eof = true
					return nil
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return models.Document{}, nil, err
		}
		stored = min(int64(seq)*DocumentChunkSize, f.Size)
	}
	if stored != f.Size || int64(seq) != (f.Size+DocumentChunkSize-1)/DocumentChunkSize {
		return models.Document{}, nil, errors.New("document size changed while it was stored")
	}
	var out models.Document
	var rep *Replay
	err := s.writer.do(ctx, func(tx *gorm.DB) (err error) {
		// The same upload may have completed meanwhile (another instance): its answer wins.
		if rep, err = s.replayed(tx, a, idem); err != nil || rep != nil {
			return err
		}
		// The record is still there (records are never deleted; this keeps the rule explicit).
		if _, err := recordFund(tx, row.RecordType, row.RecordID); err != nil {
			return err
		}
		if err := tx.Model(&documentRow{}).Where("id = ?", row.ID).Update("complete", true).Error; err != nil {
			return err
		}
		out = row.model()
		if err := s.audit(tx, a, "create", "document", row.ID, nil, out); err != nil {
			return err
		}
		return s.remember(tx, a, idem, 201, out)
	})
	return out, rep, err
}

// Documents lists the documents of a record that are not superseded, oldest
// first; a record that does not exist is not_found.
func (s *Store) Documents(ctx context.Context, recordType string, recordID int64) ([]models.Document, error) {
	db := s.r.WithContext(ctx)
	if _, err := recordFund(db, recordType, recordID); err != nil {
		return nil, err
	}
	var rows []documentRow
	if err := db.Where("record_type = ? AND record_id = ? AND superseded_at IS NULL AND complete = ?", recordType, recordID, true).Order("id").Find(&rows).Error; err != nil {
		return nil, err
	}
	out := make([]models.Document, len(rows))
	for i, r := range rows {
		out[i] = r.model()
	}
	return out, nil
}

// Document returns a document's description (superseded ones too).
func (s *Store) Document(ctx context.Context, id int64) (models.Document, error) {
	var row documentRow
	err := s.r.WithContext(ctx).Where("id = ? AND complete = ?", id, true).Take(&row).Error
	if isNotFound(err) {
		return models.Document{}, notFound("document", id)
	}
	return row.model(), err
}

// DocumentContent calls fn with each stored chunk of a document in order,
// reading one chunk at a time, all on one connection (so that one page cache
// serves the whole read). A chunk missing from the sequence is an error.
func (s *Store) DocumentContent(ctx context.Context, d models.Document, fn func([]byte) error) error {
	chunks := (d.Size + DocumentChunkSize - 1) / DocumentChunkSize
	sqlDB, err := s.r.DB()
	if err != nil {
		return err
	}
	conn, err := sqlDB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for seq := int64(0); seq < chunks; seq++ {
		if err := chunkOut(ctx, conn, d.ID, seq, fn); err != nil {
			return err
		}
	}
	return nil
}

// chunkOut hands one chunk to fn as the driver read it (sql.RawBytes: no
// second copy), valid only during the call.
func chunkOut(ctx context.Context, conn *sql.Conn, id, seq int64, fn func([]byte) error) error {
	rows, err := conn.QueryContext(ctx, "SELECT data FROM document_chunks WHERE document_id = "+strconv.FormatInt(id, 10)+
		" AND seq = "+strconv.FormatInt(seq, 10))
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return fmt.Errorf("document %d: chunk %d is missing", id, seq)
	}
	var data sql.RawBytes
	if err := rows.Scan(&data); err != nil {
		return err
	}
	return fn(data)
}

// SupersedeDocument hides a document from its record's list, with a reason
// and an audit row; it stays downloadable. Superseding twice is a conflict.
func (s *Store) SupersedeDocument(ctx context.Context, a models.Actor, id int64, in models.ReasonInput) (models.Document, error) {
	p := models.Problems{}
	reason := models.Reason(in.Reason, p)
	if err := p.Err(); err != nil {
		return models.Document{}, err
	}
	var out models.Document
	err := s.writer.do(ctx, func(tx *gorm.DB) error {
		var row documentRow
		if err := s.dialect.forUpdate(tx).Where("id = ? AND complete = ?", id, true).Take(&row).Error; err != nil {
			if isNotFound(err) {
				return notFound("document", id)
			}
			return err
		}
		before := row.model()
		if row.SupersededAt != nil {
			return models.Errorf(models.ECONFLICT, "Document %d is already superseded.", id)
		}
		now := s.now()
		if err := tx.Model(&documentRow{}).Where("id = ?", id).Updates(map[string]any{"superseded_at": now,
			"superseded_by": a.Email, "supersede_reason": reason}).Error; err != nil {
			return err
		}
		row.SupersededAt, row.SupersededBy, row.SupersedeReason = &now, a.Email, reason
		out = row.model()
		return s.audit(tx, a, "supersede", "document", id, before, out)
	})
	return out, wrap("supersede document", err)
}

// commitmentProblem says why a pledge of the fund cannot be at stage
// commitment now ("" when it can): the fund requires an agreement document
// and the pledge (pledgeID 0: a new pledge) has none (issue 16). The ledger
// write's load step calls it only when a pledge is moving to commitment.
func (t *ltx) commitmentProblem(fundID, pledgeID int64) (string, error) {
	var required bool
	var agreements int64
	err := t.row(sqlCommitment, fundID, models.RecordPledge, pledgeID, models.DocumentAgreement, true).Scan(&required, &agreements)
	if err != nil || !required || agreements > 0 {
		return "", err
	}
	return "cannot be commitment until an agreement document is attached to the pledge (its fund requires one): " +
		"create the pledge at stage pledge, attach the agreement, then change the stage", nil
}

// TamperDocumentForTest changes one stored chunk of a document behind the
// store's back, as a disk fault or an intruder would (tests only).
func (s *Store) TamperDocumentForTest(ctx context.Context, id int64, seq int) error {
	return s.writer.do(ctx, func(tx *gorm.DB) error {
		return tx.Exec("UPDATE document_chunks SET data = ? WHERE document_id = ? AND seq = ?", []byte("tampered"), id, seq).Error
	})
}
