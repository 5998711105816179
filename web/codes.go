package web

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
)

// codeAlphabet has no look-alike characters (no 0/O, 1/I/L, U).
const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTVWXYZ"

// codeLen is the number of random characters in a join code: 30^12 ≈ 2^59.
const codeLen = 12

// newCode returns a random join code written in groups of four,
// "K7QM-3XHP-2DWA".
func newCode() string {
	buf := make([]byte, codeLen)
	if _, err := rand.Read(buf); err != nil {
		panic("web: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	var b strings.Builder
	for i, c := range buf {
		if i > 0 && i%4 == 0 {
			b.WriteByte('-')
		}
		// 256 is not a multiple of 30; the bias (< 0.4%) does not matter
		// for codes that are also rate limited.
		b.WriteByte(codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return b.String()
}

// normalizeCode turns what a person typed into the canonical form: upper
// case, no spaces or dashes. It returns "" for anything that cannot be a code.
func normalizeCode(s string) string {
	if len(s) > 64 {
		return ""
	}
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
		case strings.ContainsRune(codeAlphabet, r):
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() != codeLen {
		return ""
	}
	return b.String()
}

// newToken returns a random 256-bit session token.
func newToken() string {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		panic("web: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(buf)
}
