package faulttest

import (
	"bufio"
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// KillChild runs a crash test's child process: it starts cmd, waits until
// the child writes the line "ready" on its stdout, lets it run for delay,
// kills it with SIGKILL and returns the lines the child wrote after
// "ready" that start with "ack ", without that prefix, read to the end of
// the pipe: every acknowledgement written before the kill. It fails tb if
// the child does not get ready within 30 seconds, or ends other than by
// the kill. cmd's Stdout and Stderr must be unset.
//
// A line written with one write(2) call before the kill is never lost or
// torn, so a child that acknowledges a call by writing one line after the
// call returned tells the parent exactly which calls returned.
func KillChild(tb testing.TB, cmd *exec.Cmd, delay time.Duration) []string {
	tb.Helper()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	ready := make(chan struct{})
	done := make(chan []string)
	go func() {
		var acks []string
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if line == "ready" {
				close(ready)
			} else if a, ok := strings.CutPrefix(line, "ack "); ok {
				acks = append(acks, a)
			}
		}
		done <- acks
	}()
	select {
	case <-ready:
	case acks := <-done:
		_ = cmd.Wait()
		tb.Fatalf("child exited before it was ready (%d acks): %s", len(acks), stderr.String())
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		tb.Fatalf("child did not get ready: %s", stderr.String())
	}
	time.Sleep(delay)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		tb.Fatal(err)
	}
	acks := <-done
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		tb.Fatalf("child ended with %v, not by the kill: %s", err, stderr.String())
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); ok && !(ws.Signaled() && ws.Signal() == syscall.SIGKILL) {
		tb.Fatalf("child ended with %v before the kill: %s", err, stderr.String())
	}
	return acks
}
