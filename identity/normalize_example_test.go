package identity_test

import (
	"fmt"

	"github.com/threadline/threadline/identity"
)

func ExampleNormalizeEmail() {
	for _, s := range []string{"Ann.Lee@Exämple.COM", "ann.lee+shop@googlemail.com"} {
		plain, _ := identity.NormalizeEmail(s, identity.EmailPolicy{})
		gmail, _ := identity.NormalizeEmail(s, identity.EmailPolicy{ProviderRules: true})
		fmt.Println(plain, gmail)
	}
	_, err := identity.NormalizeEmail("ann..lee@example.com", identity.EmailPolicy{})
	fmt.Println(err)
	// Output:
	// ann.lee@xn--exmple-cua.com ann.lee@xn--exmple-cua.com
	// ann.lee+shop@googlemail.com annlee@gmail.com
	// identity: invalid email "ann..lee@example.com": consecutive dots in local part
}

func ExampleNormalizePhone() {
	us, _ := identity.NormalizePhone("(415) 555-0100", "US")
	gb, _ := identity.NormalizePhone("+44 20 7946 0958 ext. 12", "US")
	fmt.Println(us, gb)
	_, err := identity.NormalizePhone("020 7946 0958", "")
	fmt.Println(err)
	// Output:
	// +14155550100 +442079460958
	// identity: invalid phone "020 7946 0958": no country code and no default region
}
