package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// progress draws one phase's bar on a terminal, a few times a second. A
// nil *progress draws nothing.
type progress struct {
	w     io.Writer
	label string
	total int64
	done  atomic.Int64
	stop  chan struct{}
	wg    sync.WaitGroup
}

func startProgress(w io.Writer, label string, total int) *progress {
	if w == nil {
		return nil
	}
	p := &progress{w: w, label: label, total: int64(max(total, 1)), stop: make(chan struct{})}
	p.wg.Go(func() {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				p.draw()
				fmt.Fprintln(p.w)
				return
			case <-t.C:
				p.draw()
			}
		}
	})
	return p
}

func (p *progress) add(n int) {
	if p != nil {
		p.done.Add(int64(n))
	}
}

func (p *progress) draw() {
	const width = 30
	done := min(p.done.Load(), p.total)
	fill := int(done * width / p.total)
	fmt.Fprintf(p.w, "\r%-14s [%s%s] %3d%% %d/%d", p.label, strings.Repeat("#", fill), strings.Repeat(".", width-fill),
		done*100/p.total, done, p.total)
}

func (p *progress) finish() {
	if p != nil {
		close(p.stop)
		p.wg.Wait()
	}
}
