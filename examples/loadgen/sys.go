package main

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
)

// peakMemory returns the process's peak resident memory and where the
// figure comes from: VmHWM of /proc/self/status (Linux: everything
// resident, the engine's manually allocated block cache included), else
// the Go runtime's current total (a lower bound on the peak that misses
// memory allocated outside the Go heap).
func peakMemory() (int64, string) {
	if kb, ok := procField("/proc/self/status", "VmHWM:"); ok {
		return kb << 10, "VmHWM (/proc/self/status)"
	}
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	return int64(s[0].Value.Uint64()), "runtime/metrics /memory/classes/total:bytes at the end (not a peak)"
}

// memTotal returns the machine's memory, or 0 when unknown.
func memTotal() int64 {
	kb, _ := procField("/proc/meminfo", "MemTotal:")
	return kb << 10
}

// procField reads a "Name:   123 kB" line of a /proc file.
func procField(path, name string) (int64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), name); ok {
			n, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

// dirSize sums the sizes of the regular files under dir, and of those
// that are Pebble's sorted tables (.sst).
func dirSize(dir string) (all, tables int64, err error) {
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		all += info.Size()
		if filepath.Ext(path) == ".sst" {
			tables += info.Size()
		}
		return nil
	})
	return all, tables, err
}

// isTerminal reports whether f is a character device (a terminal, not a
// pipe or a file).
func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}
