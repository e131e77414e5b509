package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// pgKV is the kv of one PostgreSQL transaction. An Update's writes are
// buffered and sent at commit in one statement (plus one per range
// deletion), in the same round trip as the COMMIT. A read of a buffered
// key is answered from the buffer; an iterator over a range the buffer
// touches first sends the buffer, inside the transaction, so that the
// database's order and the transaction's own writes are one.
type pgKV struct {
	// ctx is the context of the Update or View call this transaction
	// belongs to; the kv lives only as long as that call.
	ctx   context.Context
	conn  *pgx.Conn
	be    *pgBackend
	write bool

	points map[string]pgWrite // buffered writes by key
	ranges [][2][]byte        // buffered range deletions, [start, end)
	info   BatchInfo          // what was sent so far

	err   error  // the first failure of a statement; the transaction is aborted
	retry string // the SQLSTATE of err, when it calls for another try
}

// pgWrite is one buffered write: a value, or a deletion.
type pgWrite struct {
	v   []byte
	del bool
}

// note records the first failure of a statement and returns err wrapped
// as the store's error for op, or the context's error when it is done (a
// statement cut short by it reports it only as text).
func (k *pgKV) note(op string, err error) error {
	if err == nil {
		return nil
	}
	if k.err == nil {
		k.err = engineErr(op, err)
		k.retry = retryable(err)
	}
	if cerr := k.ctx.Err(); cerr != nil {
		return cerr
	}
	return engineErr(op, err)
}

func (k *pgKV) writable() bool { return k.write }

func (k *pgKV) get(key []byte) ([]byte, error) {
	if w, ok := k.points[string(key)]; ok {
		if w.del {
			return nil, ErrNotFound
		}
		return bytes.Clone(w.v), nil
	}
	for _, r := range k.ranges {
		if inRange(key, r[0], r[1]) {
			return nil, ErrNotFound
		}
	}
	var v []byte
	err := k.conn.QueryRow(k.ctx, k.be.q.get, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, k.note("get", err)
	}
	return v, nil
}

func (k *pgKV) set(key, value []byte) error {
	k.buffer(key, pgWrite{v: append(make([]byte, 0, len(value)), value...)})
	return nil
}

func (k *pgKV) del(key []byte) error {
	k.buffer(key, pgWrite{del: true})
	return nil
}

func (k *pgKV) buffer(key []byte, w pgWrite) {
	if k.points == nil {
		k.points = make(map[string]pgWrite, 8)
	}
	k.points[string(key)] = w
}

// delRange buffers a range deletion. The point writes buffered inside the
// range are dropped: they happened before it, and it deletes them.
func (k *pgKV) delRange(start, end []byte) error {
	for key := range k.points {
		if inRange([]byte(key), start, end) {
			delete(k.points, key)
		}
	}
	k.ranges = append(k.ranges, [2][]byte{bytes.Clone(start), bytes.Clone(end)})
	return nil
}

func inRange(key, lower, upper []byte) bool {
	return bytes.Compare(key, lower) >= 0 && (upper == nil || bytes.Compare(key, upper) < 0)
}

func (k *pgKV) iter(lower, upper []byte) (cursor, error) {
	if lower == nil {
		lower = []byte{} // the empty bytea, below every key; nil would be NULL
	}
	if k.touches(lower, upper) {
		if err := k.send(k.ctx, false); err != nil {
			return nil, err
		}
	}
	return &pgCursor{k: k, lower: bytes.Clone(lower), upper: bytes.Clone(upper)}, nil
}

// touches reports whether a buffered write falls in [lower, upper).
func (k *pgKV) touches(lower, upper []byte) bool {
	for key := range k.points {
		if inRange([]byte(key), lower, upper) {
			return true
		}
	}
	for _, r := range k.ranges {
		if bytes.Compare(r[0], upper) < 0 || upper == nil {
			if bytes.Compare(r[1], lower) > 0 {
				return true
			}
		}
	}
	return false
}

// send sends the buffered writes, and with commit the COMMIT, in one round
// trip, and empties the buffer. A failure is recorded as the
// transaction's (see note).
func (k *pgKV) send(ctx context.Context, commit bool) error {
	var batch pgx.Batch
	for _, r := range k.ranges {
		batch.Queue(k.be.q.deleteRange, r[0], r[1])
	}
	if len(k.points) > 0 {
		// In key order, so that two transactions writing the same keys
		// lock them in the same order rather than deadlock.
		sorted := slices.Sorted(maps.Keys(k.points))
		var dels, keys, vals [][]byte
		for _, key := range sorted {
			w := k.points[key]
			k.info.Bytes += len(key) + len(w.v)
			if w.del {
				dels = append(dels, []byte(key))
				continue
			}
			keys = append(keys, []byte(key))
			vals = append(vals, w.v)
		}
		if dels == nil {
			dels = [][]byte{} // an empty array, not NULL
		}
		batch.Queue(k.be.q.put, dels, keys, vals)
	}
	k.info.Ops += len(k.ranges) + len(k.points)
	k.points, k.ranges = nil, nil
	if commit {
		batch.Queue(k.be.q.commit)
	}
	if batch.Len() == 0 {
		return nil
	}
	return k.note("write", k.conn.SendBatch(ctx, &batch).Close())
}

// commit sends the buffered writes and commits. Once the COMMIT is sent,
// the caller's context no longer applies: cancelling it must not leave the
// outcome unknown. It returns what was written, the SQLSTATE of a conflict
// that calls for another try, or the Update's error.
func (k *pgKV) commit() (BatchInfo, string, error) {
	k.info.Updates = 1
	err := k.send(context.WithoutCancel(k.ctx), true)
	if err == nil {
		return k.info, "", nil
	}
	if k.retry != "" {
		return k.info, k.retry, nil
	}
	var pe *pgconn.PgError
	switch {
	case errors.As(k.err, &pe) && pe.Code == "40003":
		return k.info, "", fmt.Errorf("%w: %s", ErrCommitUnknown, pe.Message)
	case sqlState(k.err) != "" || pgconn.SafeToRetry(k.err):
		// The server refused the writes or the commit, or nothing was
		// sent: nothing was kept.
		return k.info, "", err
	}
	return k.info, "", fmt.Errorf("%w: %s", ErrCommitUnknown, err.Error())
}

// nextSequence draws the next number of the counter's sequence.
func (k *pgKV) nextSequence(name string, _ []byte) (uint64, error) {
	if !k.write {
		return 0, ErrReadOnly
	}
	seq, err := k.be.sequence(k.ctx, name)
	if err != nil {
		return 0, err
	}
	var n int64
	if err := k.conn.QueryRow(k.ctx, nextval(seq)).Scan(&n); err != nil {
		return 0, k.note("next sequence", err)
	}
	return uint64(n), nil
}

// pgCursor iterates over [lower, upper) (upper nil: unbounded) of a
// transaction, reading a page of rows at a time in the direction of
// travel. Pages start small, since most iterations read a few keys after a
// seek, and grow while the cursor keeps going one way.
type pgCursor struct {
	k            *pgKV
	lower, upper []byte // lower is never nil

	rows []pgRow // the current page, in ascending key order
	i    int     // the position in rows, when at == atKey
	at   int8    // where the cursor is: atKey, or before the first / after the last key
	// fwdDone and backDone say the page holds the last (first) key of
	// the range, so moving past it needs no query.
	fwdDone, backDone bool
	page              int // the size of the next page in the same direction
	err               error
}

type pgRow struct{ k, v []byte }

const (
	atKey    = 0
	atBefore = -1
	atAfter  = 1

	firstPage = 16
	maxPage   = 1024
)

func (c *pgCursor) First() bool { c.page = firstPage; return c.fetchFwd(c.lower) }

func (c *pgCursor) Last() bool { c.page = firstPage; return c.fetchBack(c.upper) }

func (c *pgCursor) SeekGE(key []byte) bool {
	c.page = firstPage
	if bytes.Compare(key, c.lower) < 0 {
		key = c.lower
	}
	return c.fetchFwd(key)
}

func (c *pgCursor) SeekLT(key []byte) bool {
	c.page = firstPage
	if c.upper != nil && bytes.Compare(key, c.upper) > 0 {
		key = c.upper
	}
	return c.fetchBack(key)
}

func (c *pgCursor) Next() bool {
	switch c.at {
	case atAfter:
		return false
	case atBefore:
		return c.First()
	}
	if c.i++; c.i < len(c.rows) {
		return true
	}
	if c.fwdDone {
		c.at = atAfter
		return false
	}
	c.page = min(2*c.page, maxPage)
	// The smallest key above k is k followed by a zero byte.
	return c.fetchFwd(append(bytes.Clone(c.rows[len(c.rows)-1].k), 0))
}

func (c *pgCursor) Prev() bool {
	switch c.at {
	case atBefore:
		return false
	case atAfter:
		return c.Last()
	}
	if c.i--; c.i >= 0 {
		return true
	}
	if c.backDone {
		c.at = atBefore
		return false
	}
	c.page = min(2*c.page, maxPage)
	return c.fetchBack(c.rows[0].k)
}

// fetchFwd reads the page of keys from from on, and moves to its first.
func (c *pgCursor) fetchFwd(from []byte) bool {
	var rows pgx.Rows
	var err error
	if c.upper == nil {
		rows, err = c.k.conn.Query(c.k.ctx, c.k.be.q.scanFwdOpen, from, c.page)
	} else {
		rows, err = c.k.conn.Query(c.k.ctx, c.k.be.q.scanFwd, from, c.upper, c.page)
	}
	if !c.load(rows, err) {
		c.at = atAfter
		return false
	}
	c.fwdDone, c.backDone = len(c.rows) < c.page, false
	c.i, c.at = 0, atKey
	return true
}

// fetchBack reads the page of keys below to (nil: unbounded), and moves
// to its last.
func (c *pgCursor) fetchBack(to []byte) bool {
	var rows pgx.Rows
	var err error
	if to == nil {
		rows, err = c.k.conn.Query(c.k.ctx, c.k.be.q.scanBackOpen, c.lower, c.page)
	} else {
		rows, err = c.k.conn.Query(c.k.ctx, c.k.be.q.scanBack, c.lower, to, c.page)
	}
	if !c.load(rows, err) {
		c.at = atBefore
		return false
	}
	c.backDone, c.fwdDone = len(c.rows) < c.page, false
	// The page came in descending order.
	for i, j := 0, len(c.rows)-1; i < j; i, j = i+1, j-1 {
		c.rows[i], c.rows[j] = c.rows[j], c.rows[i]
	}
	c.i, c.at = len(c.rows)-1, atKey
	return true
}

// load reads a page into rows and reports whether it holds a key.
func (c *pgCursor) load(rows pgx.Rows, err error) bool {
	c.rows = c.rows[:0]
	if c.err != nil {
		return false
	}
	if err == nil {
		for rows.Next() {
			var r pgRow
			if err = rows.Scan(&r.k, &r.v); err != nil {
				break
			}
			c.rows = append(c.rows, r)
		}
		rows.Close()
		if err == nil {
			err = rows.Err()
		}
	}
	if err != nil {
		c.err = err
		_ = c.k.note("iterate", err)
		c.rows = c.rows[:0]
	}
	return len(c.rows) > 0
}

func (c *pgCursor) Valid() bool   { return c.at == atKey && c.err == nil }
func (c *pgCursor) Key() []byte   { return c.rows[c.i].k }
func (c *pgCursor) Value() []byte { return c.rows[c.i].v }
func (c *pgCursor) Error() error  { return c.err }
func (c *pgCursor) Close() error  { return nil }

// commitOrder runs the OnCommit functions of one process's PostgreSQL
// transactions in an order consistent with their commits. Each
// transaction that has OnCommit functions takes a ticket just before it
// sends its COMMIT, and its functions run only after those of every
// earlier ticket (the transaction that finishes the earliest open ticket
// runs the waiting ones). A transaction that read or overwrote another's
// writes began after that one committed, so after it took its ticket:
// such pairs run in commit order. Transactions that did not touch each
// other's data may run in either order, as they may commit in either.
type commitOrder struct {
	mu    sync.Mutex
	next  uint64                // the next ticket to hand out
	done  uint64                // every ticket below done has run
	ready map[uint64]*orderSlot // finished tickets waiting for an earlier one
}

type orderSlot struct {
	fns []func()
	ran chan struct{}
}

func (o *commitOrder) take() uint64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	t := o.next
	o.next++
	return t
}

// finish runs fns (nil: the transaction did not commit) in ticket t's
// turn, and returns once they ran.
func (o *commitOrder) finish(t uint64, fns []func()) {
	o.mu.Lock()
	if t != o.done {
		if o.ready == nil {
			o.ready = make(map[uint64]*orderSlot)
		}
		s := &orderSlot{fns: fns, ran: make(chan struct{})}
		o.ready[t] = s
		o.mu.Unlock()
		<-s.ran
		return
	}
	o.mu.Unlock()
	runAll(fns)
	for {
		o.mu.Lock()
		o.done++
		s, ok := o.ready[o.done]
		delete(o.ready, o.done)
		o.mu.Unlock()
		if !ok {
			return
		}
		runAll(s.fns)
		close(s.ran)
	}
}

func runAll(fns []func()) {
	for _, f := range fns {
		f()
	}
}
