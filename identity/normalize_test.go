package identity_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/threadline/threadline/identity"
)

// normCase is one normalizer input: want is the canonical form, or empty
// if the input is invalid, in which case reason is a substring of the
// error's Reason.
type normCase struct {
	in, want, reason string
}

// runNormCases checks each case, and that every canonical output
// normalizes to itself.
func runNormCases(t *testing.T, k identity.Kind, fn func(string) (string, error), cases []normCase) {
	t.Helper()
	for _, c := range cases {
		got, err := fn(c.in)
		if c.want == "" {
			checkInvalid(t, k, c.in, c.reason, got, err)
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s %q: got %q, %v; want %q", k, c.in, got, err, c.want)
			continue
		}
		if again, err := fn(got); err != nil || again != got {
			t.Errorf("%s %q: not idempotent: %q -> %q, %v", k, c.in, got, again, err)
		}
	}
}

// checkInvalid checks that err is an *InvalidIdentifierError of kind k
// for input in, with a reason containing reason.
func checkInvalid(t *testing.T, k identity.Kind, in, reason, got string, err error) {
	t.Helper()
	var ie *identity.InvalidIdentifierError
	switch {
	case err == nil:
		t.Errorf("%s %q: got %q, want error %q", k, in, got, reason)
	case !errors.As(err, &ie):
		t.Errorf("%s %q: error %v is not *InvalidIdentifierError", k, in, err)
	case !errors.Is(err, identity.ErrInvalidIdentifier):
		t.Errorf("%s %q: error %v does not wrap ErrInvalidIdentifier", k, in, err)
	case ie.Kind != k || ie.Input != in:
		t.Errorf("%s %q: error has kind %q, input %q", k, in, ie.Kind, ie.Input)
	case !strings.Contains(ie.Reason, reason):
		t.Errorf("%s %q: reason %q, want it to contain %q", k, in, ie.Reason, reason)
	case got != "":
		t.Errorf("%s %q: got %q with an error", k, in, got)
	}
}

func email(p identity.EmailPolicy) func(string) (string, error) {
	return func(s string) (string, error) { return identity.NormalizeEmail(s, p) }
}

func TestNormalizeEmail(t *testing.T) {
	runNormCases(t, identity.Email, email(identity.EmailPolicy{}), []normCase{
		{in: "ann.lee@example.com", want: "ann.lee@example.com"},
		{in: "  Ann.Lee@Example.COM\n", want: "ann.lee@example.com"},
		{in: "Ann.Lee@Exämple.COM", want: "ann.lee@xn--exmple-cua.com"},
		{in: "ann@XN--EXMPLE-CUA.com", want: "ann@xn--exmple-cua.com"},
		{in: "ann@例え.テスト", want: "ann@xn--r8jz45g.xn--zckzah"},
		{in: "Ïñès@example.com", want: "ïñès@example.com"},
		{in: "ann+shop@example.com", want: "ann+shop@example.com"},
		{in: "o'brien!#$%&*/=?^_`{|}~-@mail.example.ie", want: "o'brien!#$%&*/=?^_`{|}~-@mail.example.ie"},
		{in: "Ann.Lee+x@GoogleMail.com", want: "ann.lee+x@googlemail.com"}, // no provider rules
		{in: strings.Repeat("a", 64) + "@example.com", want: strings.Repeat("a", 64) + "@example.com"},

		{in: "", reason: "empty"},
		{in: "   ", reason: "empty"},
		{in: "ann.example.com", reason: "missing @"},
		{in: "ann@lee@example.com", reason: "more than one @"},
		{in: `"ann lee"@example.com`, reason: "quoted local part not supported"},
		{in: "@example.com", reason: "empty local part"},
		{in: ".ann@example.com", reason: "starts or ends with a dot"},
		{in: "ann.@example.com", reason: "starts or ends with a dot"},
		{in: "ann..lee@example.com", reason: "consecutive dots"},
		{in: "ann lee@example.com", reason: "space in local part"},
		{in: "ann\u00a0lee@example.com", reason: "space in local part"},
		{in: "ann(x)@example.com", reason: "invalid character"},
		{in: "ann\\lee@example.com", reason: "invalid character"},
		{in: "ann\u200blee@example.com", reason: "control or invisible character"},
		{in: "ann\x00@example.com", reason: "control or invisible character"},
		{in: "ann\xff@example.com", reason: "invalid utf-8"},
		{in: strings.Repeat("a", 65) + "@example.com", reason: "local part longer than 64 bytes"},
		{in: "ann@", reason: "empty domain"},
		{in: "ann@localhost", reason: "domain has no dot"},
		{in: "ann@example..com", reason: "empty domain label"},
		{in: "ann@example.com.", reason: "empty domain label"},
		{in: "ann@exa mple.com", reason: "invalid domain"},
		{in: "ann@-example.com", reason: "invalid domain"},
		{in: "ann@exa_mple.com", reason: "invalid domain"},
		{in: "ann@[192.0.2.1]", reason: "invalid domain"},
		{in: "ann@\u2135a.com", reason: "invalid domain"}, // maps to mixed-direction "\u05d0a"
		{in: "ann@192.0.2.1", reason: "numeric top-level domain"},
		{in: "ann@" + strings.Repeat("a", 64) + ".com", reason: "domain label longer than 63 bytes"},
		{in: "ann@" + strings.Repeat("abcdefghi.", 26) + "com", reason: "domain longer than 253 bytes"},
		{in: strings.Repeat("a", 310) + "@example.com", reason: "longer than 320 bytes"},
	})
}

func TestNormalizeEmailNFD(t *testing.T) {
	nfc := "Ann.Lee@Ex\u00e4mple.COM"
	nfd := "Ann.Lee@Exa\u0308mple.COM"
	for _, in := range []string{"J\u00f6rg@example.com", "Jo\u0308rg@example.com", nfc, nfd} {
		if _, err := identity.NormalizeEmail(in, identity.EmailPolicy{}); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
	}
	a, _ := identity.NormalizeEmail(nfc, identity.EmailPolicy{})
	b, _ := identity.NormalizeEmail(nfd, identity.EmailPolicy{})
	if a != b {
		t.Errorf("NFC %q and NFD %q differ", a, b)
	}
	a, _ = identity.NormalizeEmail("J\u00f6rg@example.com", identity.EmailPolicy{})
	b, _ = identity.NormalizeEmail("Jo\u0308rg@example.com", identity.EmailPolicy{})
	if a != b || a != "j\u00f6rg@example.com" {
		t.Errorf("local part: NFC %q, NFD %q; want both %q", a, b, "j\u00f6rg@example.com")
	}
}

func TestNormalizeEmailProviderRules(t *testing.T) {
	runNormCases(t, identity.Email, email(identity.EmailPolicy{ProviderRules: true}), []normCase{
		{in: "Ann.Lee@gmail.com", want: "annlee@gmail.com"},
		{in: "ann.lee+shop@GoogleMail.com", want: "annlee@gmail.com"},
		{in: "a.n.n+x+y@gmail.com", want: "ann@gmail.com"},
		{in: "ann.lee+shop@example.com", want: "ann.lee+shop@example.com"}, // other providers untouched
		{in: "ann.lee@gmail.com.au", want: "ann.lee@gmail.com.au"},
		{in: "+shop@gmail.com", reason: "empty local part"},
		{in: "ann..lee@gmail.com", reason: "consecutive dots"}, // syntax is checked first
	})
}

func TestNormalizePhone(t *testing.T) {
	for _, region := range []string{"US", "GB", "gb", ""} {
		cases := []normCase{
			{in: "+1 (415) 555-0100", want: "+14155550100"},
			{in: "+14155550100", want: "+14155550100"},
			{in: "+44 20 7946 0958 ext. 12", want: "+442079460958"},
			{in: "+44 20 7946 0958;ext=12", want: "+442079460958"},
			{in: "+61 2 9876 5432", want: "+61298765432"},
			{in: "+44 20 7946", reason: "not a valid number"},
			{in: "+999 1234 5678", reason: "invalid country code"},
			{in: "+1 415 555 0100 0100 0100 0100 0100 0100 0100 0100 0100 0100 0100", reason: "longer than 64 bytes"},
			{in: "hello", reason: ""},
			{in: "+1 415\n555 0100", reason: "control or invisible character"},
			{in: "", reason: "empty"},
		}
		switch region {
		case "US":
			cases = append(cases,
				normCase{in: "(415) 555-0100", want: "+14155550100"},
				normCase{in: "415.555.0100 x 7", want: "+14155550100"},
				normCase{in: "1-800-FLOWERS", want: "+18003569377"},
				normCase{in: "011 44 20 7946 0958", want: "+442079460958"},
				normCase{in: "020 7946 0958", reason: "not a valid number"},
			)
		case "GB", "gb":
			cases = append(cases,
				normCase{in: "020 7946 0958", want: "+442079460958"},
				normCase{in: "00 1 415 555 0100", want: "+14155550100"},
				normCase{in: "(415) 555-0100", reason: "not a valid number"},
			)
		case "":
			cases = append(cases,
				normCase{in: "0044 20 7946 0958", want: "+442079460958"},
				normCase{in: "(415) 555-0100", reason: "no country code and no default region"},
			)
		}
		t.Run("region="+region, func(t *testing.T) {
			runNormCases(t, identity.Phone, func(s string) (string, error) {
				return identity.NormalizePhone(s, region)
			}, cases)
		})
	}
}

func TestNormalizePhoneUnknownRegion(t *testing.T) {
	for _, region := range []string{"UK", "XX", "USA"} {
		got, err := identity.NormalizePhone("+14155550100", region)
		checkInvalid(t, identity.Phone, "+14155550100", "unknown default region", got, err)
	}
}

func TestNormalizeHandle(t *testing.T) {
	tests := map[identity.Kind][]normCase{
		identity.X: {
			{in: "@AnnLee", want: "annlee"},
			{in: " ann_lee_99 ", want: "ann_lee_99"},
			{in: "https://x.com/AnnLee", want: "annlee"},
			{in: "twitter.com/annlee", want: "annlee"},
			{in: "HTTP://www.Twitter.com/AnnLee/?ref=src", want: "annlee"},
			{in: "mobile.twitter.com/annlee#top", want: "annlee"},
			{in: "a", want: "a"},
			{in: "@", reason: "empty"},
			{in: "@@annlee", reason: "invalid character"},
			{in: "ann.lee", reason: "invalid character"},
			{in: "ann\u0130lee", reason: "invalid character"}, // 'İ', not 'i'
			{in: "annlee_annlee_ann", reason: "want 1 to 15 characters"},
			{in: "https://x.com/annlee/status/1", reason: "not a profile url"},
			{in: "https://x.com/", reason: "not a profile url"},
			{in: "instagram.com/annlee", reason: "not a profile url on x.com"},
		},
		identity.Instagram: {
			{in: "@Ann.Lee", want: "ann.lee"},
			{in: "instagram.com/ann.lee/", want: "ann.lee"},
			{in: "https://www.instagram.com/ann.lee/?hl=en", want: "ann.lee"},
			{in: "_ann_", want: "_ann_"},
			{in: ".annlee", reason: "starts or ends with a dot"},
			{in: "annlee.", reason: "starts or ends with a dot"},
			{in: "ann..lee", reason: "consecutive dots"},
			{in: "ann-lee", reason: "invalid character"},
			{in: strings.Repeat("a", 31), reason: "want 1 to 30 characters"},
		},
		identity.TikTok: {
			{in: "@Ann.Lee", want: "ann.lee"},
			{in: "https://www.tiktok.com/@ann.lee?lang=en", want: "ann.lee"},
			{in: ".ann", want: ".ann"},
			{in: "a", reason: "want 2 to 24 characters"},
			{in: "ann.", reason: "ends with a dot"},
			{in: strings.Repeat("a", 25), reason: "want 2 to 24 characters"},
		},
		identity.Telegram: {
			{in: "@Ann_Lee", want: "ann_lee"},
			{in: "https://t.me/AnnLee", want: "annlee"},
			{in: "telegram.me/annlee", want: "annlee"},
			{in: "annl", reason: "want 5 to 32 characters"},
			{in: "1annlee", reason: "does not start with a letter"},
			{in: "_annlee", reason: "does not start with a letter"},
			{in: "ann.lee", reason: "invalid character"},
		},
		identity.Facebook: {
			{in: "1234567890123456", want: "1234567890123456"},
			{in: " 42 ", want: "42"},
			{in: "12345678901234567890", want: "12345678901234567890"},
			{in: "123456789012345678901", reason: "want 1 to 20 characters"},
			{in: "ann.lee", reason: "invalid character"},
			{in: "facebook.com/4", reason: "invalid character"},
		},
	}
	for k, cases := range tests {
		t.Run(string(k), func(t *testing.T) {
			runNormCases(t, k, func(s string) (string, error) { return identity.NormalizeHandle(k, s) }, cases)
		})
	}
}

func TestNormalizeHandleNotSocial(t *testing.T) {
	for _, k := range []identity.Kind{identity.Email, identity.Visitor, "mastodon", ""} {
		got, err := identity.NormalizeHandle(k, "annlee")
		checkInvalid(t, k, "annlee", "not a social network", got, err)
	}
}

func TestNormalizeOpaque(t *testing.T) {
	for _, k := range []identity.Kind{identity.Visitor, identity.Device} {
		runNormCases(t, k, func(s string) (string, error) { return identity.NormalizeOpaque(k, s) }, []normCase{
			{in: "v_9f8E7d", want: "v_9f8E7d"},
			{in: "  6F9619FF-8B86-D011-B42D-00C04FC964FF\n", want: "6F9619FF-8B86-D011-B42D-00C04FC964FF"},
			{in: "00000000-0000-0000-0000-000000000000", want: "00000000-0000-0000-0000-000000000000"},
			{in: "Jo\u0308rg", want: "J\u00f6rg"},
			{in: strings.Repeat("x", 256), want: strings.Repeat("x", 256)},
			{in: "", reason: "empty"},
			{in: "abc def", reason: "white space inside"},
			{in: "abc\u3000def", reason: "white space inside"},
			{in: "abc\tdef", reason: "control or invisible character"},
			{in: "\ufeffabc", reason: "control or invisible character"},
			{in: "abc\xc3", reason: "invalid utf-8"},
			{in: strings.Repeat("x", 257), reason: "longer than 256 bytes"},
			{in: strings.Repeat("\u0958", 80), reason: "longer than 256 bytes"}, // NFC lengthens it
		})
	}
}

func TestNormalizeAccount(t *testing.T) {
	runNormCases(t, identity.Account, identity.NormalizeAccount, []normCase{
		{in: "crm:0012A", want: "crm:0012A"},
		{in: " CRM: 0012A ", want: "crm:0012A"},
		{in: "Sales-Force.v2:001:ABC", want: "sales-force.v2:001:ABC"},
		{in: "shop:Ann Lee", want: "shop:Ann Lee"},
		{in: "crm:Jo\u0308rg", want: "crm:J\u00f6rg"},
		{in: strings.Repeat("n", 32) + ":" + strings.Repeat("i", 256), want: strings.Repeat("n", 32) + ":" + strings.Repeat("i", 256)},
		{in: "crm", reason: `want "namespace:id"`},
		{in: ":42", reason: "empty namespace"},
		{in: "crm:", reason: "empty id"},
		{in: "crm:   ", reason: "empty id"},
		{in: "my crm:42", reason: "invalid character in namespace"},
		{in: "crm/eu:42", reason: "invalid character in namespace"},
		{in: "crm:4\x072", reason: "control or invisible character"},
		{in: strings.Repeat("n", 33) + ":42", reason: "namespace longer than 32 bytes"},
		{in: "crm:" + strings.Repeat("i", 257), reason: "id longer than 256 bytes"},
		{in: "crm:" + strings.Repeat("i", 300), reason: "longer than 289 bytes"},
	})
}

// TestNormalizeHugeInput checks that an absurdly long input is refused on
// its length, before any scan or allocation proportional to it.
func TestNormalizeHugeInput(t *testing.T) {
	huge := strings.Repeat("a", 10<<20) + "@example.com"
	fns := map[identity.Kind]func(string) (string, error){
		identity.Email: email(identity.EmailPolicy{ProviderRules: true}),
		identity.Phone: func(s string) (string, error) { return identity.NormalizePhone(s, "US") },
		identity.X:     func(s string) (string, error) { return identity.NormalizeHandle(identity.X, s) },
		identity.Device: func(s string) (string, error) {
			return identity.NormalizeOpaque(identity.Device, s)
		},
		identity.Account: identity.NormalizeAccount,
	}
	for k, fn := range fns {
		start := time.Now()
		got, err := fn(huge)
		if d := time.Since(start); d > 100*time.Millisecond {
			t.Errorf("%s: rejecting 10 MB took %v", k, d)
		}
		checkInvalid(t, k, huge, "longer than", got, err)
	}
}
