package identity_test

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/threadline/threadline/identity"
)

// checkFuzzed checks the properties every normalizer has: errors are
// *InvalidIdentifierError, and canonical output is valid UTF-8 and
// normalizes to itself.
func checkFuzzed(t *testing.T, in, out string, err error, fn func(string) (string, error)) {
	t.Helper()
	if err != nil {
		var ie *identity.InvalidIdentifierError
		if !errors.As(err, &ie) || !errors.Is(err, identity.ErrInvalidIdentifier) || ie.Reason == "" {
			t.Fatalf("%q: error %#v is not a proper *InvalidIdentifierError", in, err)
		}
		return
	}
	if !utf8.ValidString(out) || out == "" {
		t.Fatalf("%q: bad output %q", in, out)
	}
	again, err := fn(out)
	if err != nil || again != out {
		t.Fatalf("%q: not idempotent: %q -> %q, %v", in, out, again, err)
	}
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{
		"Ann.Lee@Exämple.COM", "Ann.Lee@Exa\u0308mple.COM", "ann.lee+shop@googlemail.com",
		"ÏÑÈS@例え.テスト", `"ann"@example.com`, "a@b@c.com", "a..b@x.io", "İ@x.com",
		"ann@xn--exmple-cua.com", "ann@192.0.2.1", " a@b.co\n", "ǅ@x.com", "ẞ@straße.de",
		"x@\u2135a.com",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, rules bool) {
		p := identity.EmailPolicy{ProviderRules: rules}
		fn := func(s string) (string, error) { return identity.NormalizeEmail(s, p) }
		out, err := fn(s)
		checkFuzzed(t, s, out, err, fn)
	})
}

var fuzzRegions = []string{"", "US", "GB", "AU", "DE", "IT", "FR", "IN", "BR", "JP", "CI", "AR", "MX"}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"+1 (415) 555-0100", "(415) 555-0100", "+44 20 7946 0958 ext. 12", "020 7946 0958",
		"0044 20 7946 0958", "1-800-FLOWERS", "+39 06 1234 5678", "+225 07 1234 5678",
		"+54 9 11 1234-5678", "011 44 20 7946 0958", "tel:+14155550100;ext=1", "+",
	} {
		for i := range fuzzRegions {
			f.Add(s, uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, s string, r uint8) {
		region := fuzzRegions[int(r)%len(fuzzRegions)]
		fn := func(s string) (string, error) { return identity.NormalizePhone(s, region) }
		out, err := fn(s)
		checkFuzzed(t, s, out, err, fn)
		if err != nil {
			return
		}
		// E.164 does not depend on where the caller is.
		if again, err := identity.NormalizePhone(out, ""); err != nil || again != out {
			t.Fatalf("%q: %q without region -> %q, %v", s, out, again, err)
		}
	})
}

var fuzzHandleKinds = []identity.Kind{
	identity.X, identity.Instagram, identity.TikTok, identity.Telegram, identity.Facebook, identity.Email,
}

func FuzzNormalizeHandle(f *testing.F) {
	for _, s := range []string{
		"@AnnLee", "https://x.com/AnnLee", "twitter.com/annlee", "instagram.com/ann.lee/",
		"https://www.tiktok.com/@ann.lee?lang=en", "t.me/Ann_Lee", "1234567890", "@", "ann..lee",
		"HTTP://M.X.COM/A#b", "ann\u0130", "x.com//", "https://x.com/@@a",
	} {
		for i := range fuzzHandleKinds {
			f.Add(uint8(i), s)
		}
	}
	f.Fuzz(func(t *testing.T, i uint8, s string) {
		k := fuzzHandleKinds[int(i)%len(fuzzHandleKinds)]
		fn := func(s string) (string, error) { return identity.NormalizeHandle(k, s) }
		out, err := fn(s)
		checkFuzzed(t, s, out, err, fn)
	})
}

func FuzzNormalizeOpaque(f *testing.F) {
	for _, s := range []string{
		"v_9f8E7d", " 6F9619FF-8B86-D011-B42D-00C04FC964FF\n", "00000000-0000-0000-0000-000000000000",
		"Jo\u0308rg", "a b", "\ufeffx", "\u0958\u0958", "\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fn := func(s string) (string, error) { return identity.NormalizeOpaque(identity.Visitor, s) }
		out, err := fn(s)
		checkFuzzed(t, s, out, err, fn)
	})
}

func FuzzNormalizeAccount(f *testing.F) {
	for _, s := range []string{
		"crm:0012A", " CRM: 0012A ", "sf:001:ABC", "shop:Ann Lee", "crm:Jo\u0308rg", ":x", "x:",
		"crm: \u0301x", "a:\u00a0b\u00a0",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := identity.NormalizeAccount(s)
		checkFuzzed(t, s, out, err, identity.NormalizeAccount)
	})
}
