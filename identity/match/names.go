package match

import (
	_ "embed"
	"strings"
)

// nicknamesText is the name-variant table: one group of given names a
// line (see the file for its source and licence).
//
//go:embed nicknames.txt
var nicknamesText string

// nicknameGroups maps a folded given name to the groups it is in.
var nicknameGroups = parseNicknames(nicknamesText)

func parseNicknames(text string) map[string][]uint16 {
	groups := map[string][]uint16{}
	g := uint16(0)
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		for _, name := range strings.Fields(line) {
			groups[name] = append(groups[name], g)
		}
		g++
	}
	return groups
}

// variants reports whether folded given names a and b are in one group
// of the name-variant table (bob and robert, peggy and margaret).
func variants(a, b string) bool {
	ga, gb := nicknameGroups[a], nicknameGroups[b]
	for _, x := range ga {
		for _, y := range gb {
			if x == y {
				return true
			}
		}
	}
	return false
}
