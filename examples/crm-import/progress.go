package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress draws a one-line progress bar on w once a stage has run for
// more than a second, so that short runs print nothing. It is safe for
// concurrent use.
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	on      bool
	stage   string
	started time.Time // of the stage
	drawn   time.Time // last draw
	dirty   bool      // a line is on the screen
}

func newProgress(w io.Writer, on bool) *progress { return &progress{w: w, on: on} }

// update reports done of total (total < 0: unknown) in stage.
func (p *progress) update(stage string, done, total int64) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if stage != p.stage {
		p.finishLine()
		p.stage, p.started = stage, now
	}
	if now.Sub(p.started) < time.Second || (now.Sub(p.drawn) < 100*time.Millisecond && done != total) {
		return
	}
	p.drawn, p.dirty = now, true
	elapsed := now.Sub(p.started).Truncate(100 * time.Millisecond)
	switch {
	case total < 0 && done == 0:
		fmt.Fprintf(p.w, "\r%-9s %v   ", stage, elapsed)
		return
	case total <= 0:
		fmt.Fprintf(p.w, "\r%-9s %12d  %v   ", stage, done, elapsed)
		return
	}
	const width = 30
	n := int(float64(width) * float64(done) / float64(total))
	n = max(0, min(n, width))
	fmt.Fprintf(p.w, "\r%-9s [%s%s] %3.0f%%  %d/%d  %v   ", stage, strings.Repeat("#", n), strings.Repeat(".", width-n),
		100*float64(done)/float64(total), done, total, elapsed)
}

// done ends the current line, if one was drawn.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finishLine()
	p.stage = ""
}

func (p *progress) finishLine() {
	if p.dirty {
		fmt.Fprintln(p.w)
		p.dirty = false
	}
}
