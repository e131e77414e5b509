//go:build race

package faulttest

// raceEnabled reports a build with the race detector, which makes the
// tests several times slower: the larger ones shrink under it.
const raceEnabled = true
