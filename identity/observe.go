package identity

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/threadline/threadline/internal/ident"
	"github.com/threadline/threadline/store"
)

// Observation is what one interaction showed: identifiers seen together,
// where, when, and whether the customer proved who they are.
type Observation struct {
	// Identifiers seen together, raw or canonical: the graph normalizes
	// them. At least one; at most Options.MaxIdentifiersPerObservation.
	Identifiers []Identifier `json:"identifiers"`
	// Source is the channel or system that saw them: "voice", "chat",
	// "crm-import". Recorded as evidence on every link made.
	Source string `json:"source"`
	// Time of the interaction. Zero means now. Must not be before 1970 or
	// more than a day ahead of the clock.
	Time time.Time `json:"time,omitzero"`
	// Verified says the customer was authenticated in this interaction;
	// every identifier kept from it is marked verified.
	Verified bool `json:"verified"`
	// Attributes are profile fields (see the Attr constants), stored with
	// the observation and chosen per field by survivorship rules.
	Attributes map[string]string `json:"attributes,omitempty"`
	// Consent changes the customer stated in this interaction.
	Consent []ConsentChange `json:"consent"`
}

// Outcome says what an observation did.
type Outcome string

// Outcomes of Observe.
const (
	OutcomeNew      Outcome = "new"      // a new customer was created
	OutcomeExisting Outcome = "existing" // every identifier was already this customer's
	OutcomeAttached Outcome = "attached" // new identifiers were added to one customer
	OutcomeMerged   Outcome = "merged"   // several customers became one
	OutcomeRefused  Outcome = "refused"  // nothing could be resolved: every identifier was blocked or suppressed (see Refusals)
)

// Guard names the rule that refused a link.
type Guard string

// Guards.
const (
	GuardBlocked    Guard = "blocked-value"  // the value is on the kind's block list
	GuardSuppressed Guard = "suppressed"     // the value was forgotten with suppression
	GuardLimit      Guard = "kind-limit"     // the customer would exceed the kind's limit
	GuardSize       Guard = "component-size" // the customer would exceed MaxStrongIdentifiers
	GuardWeak       Guard = "weak-evidence"  // only a weak identifier joined two known customers
)

// Refusal is a link the graph would not make, and why.
type Refusal struct {
	Guard Guard `json:"guard"`
	// Identifier is the identifier of the observation that was held back.
	// For GuardWeak it stays with the customer it already belonged to.
	Identifier Identifier `json:"identifier"`
	// Against are the values it conflicted with: for GuardLimit the
	// identifiers of the same limited group; for GuardSize and GuardWeak
	// the observation's other identifiers. Accepting the conflict links
	// Identifier to each of them.
	Against []Identifier `json:"against"`
	// Customer is the customer it would have joined, if any.
	Customer CustomerID `json:"customer"`
	// Conflict is the recorded conflict; 0 for suppressed values, which are
	// never recorded.
	Conflict ConflictID `json:"conflict"`
}

func (r Refusal) String() string {
	s := fmt.Sprintf("%s held back by %s", r.Identifier, r.Guard)
	if r.Customer != 0 {
		s += " (" + r.Customer.String() + ")"
	}
	return s
}

// Result says what Observe did.
type Result struct {
	Customer    CustomerID    `json:"customer"` // the customer the observation resolved to; 0 if refused
	Outcome     Outcome       `json:"outcome"`
	Observation ObservationID `json:"observation"`
	// Merged lists the customers absorbed into Customer. A customer this
	// Observe would have created for new identifiers that a probabilistic
	// link then joins to a candidate is not one: the identifiers are
	// added to the candidate's customer (OutcomeAttached).
	Merged []CustomerID `json:"merged"`
	Added  []Identifier `json:"added"` // identifiers new to Customer
	// Identifiers are the observation's identifiers (canonical, in the
	// order given, duplicates dropped) that belong to Customer after it:
	// those it added or found there, and those that were already the
	// customer's but were held back by a guard. Empty when refused.
	Identifiers []Identifier `json:"identifiers"`
	Links       []LinkID     `json:"links"` // links made
	Refusals    []Refusal    `json:"refusals"`
	// Matches are the candidates probabilistic matching scored at or
	// above the review band, strongest first (see [MatchOptions]).
	Matches []Match `json:"matches"`
}

// Observe resolves an observation to a customer, creating, attaching or
// merging as its identifiers demand, and returns what happened. It is
// atomic: on error nothing is stored.
func (g *Graph) Observe(ctx context.Context, obs Observation) (Result, error) {
	// Normalize and check in the caller's goroutine, not in the store's
	// serialized commit pipeline, where every closure waits for the others.
	ids, at, err := g.validate(committed{ctx, g.db}, obs)
	if err != nil {
		return Result{}, g.failed(ctx, err)
	}
	var res Result
	err = g.Update(ctx, func(tx *Tx) error {
		var err error
		res, err = tx.observe(obs, ids, at)
		return err
	})
	return res, err
}

// failed returns what Update would have returned for a closure failing with
// err before touching the store: a cancelled context or a closed store take
// precedence, as they do in Update. A read-only View checks them without
// joining (and, failing, forcing a rerun of) a commit group.
func (g *Graph) failed(ctx context.Context, err error) error {
	return g.db.View(ctx, func(*store.Txn) error { return err })
}

// cand is one distinct identifier of an observation, or a stored
// identifier one of them reaches by its value (see KindPolicy.SameValue).
type cand struct {
	id     Identifier
	pol    *KindPolicy
	rec    identRec
	exists bool
	// via is the observed identifier this one was reached from; nil for
	// the observation's own. Such a stored identifier only joins the
	// customer: it is not counted as seen, and is linked to via alone.
	via *cand
	// viaStrength is the strength of the shared-value evidence.
	viaStrength Strength
}

func (c *cand) strong() bool {
	if c.via != nil {
		return c.viaStrength == Strong
	}
	return c.pol.Strength == Strong
}

// Observe is [Graph.Observe] inside a transaction.
func (tx *Tx) Observe(obs Observation) (Result, error) {
	ids, at, err := tx.g.validate(tx.txn, obs)
	if err != nil {
		return Result{}, err
	}
	return tx.observe(obs, ids, at)
}

// observe resolves an observation already validated: ids are its
// normalized, deduplicated identifiers and at its time (see validate).
func (tx *Tx) observe(obs Observation, ids []Identifier, at int64) (Result, error) {
	obsID, err := tx.nextObservation()
	if err != nil {
		return Result{}, err
	}
	res := Result{Observation: obsID}
	o := &observer{tx: tx, obs: &obs, at: at, id: obsID, res: &res, custs: map[CustomerID]*custRec{}}
	cands, err := o.load(ids)
	if err != nil {
		return Result{}, err
	}
	plan, err := o.resolve(slices.Clone(cands))
	if err != nil {
		return Result{}, err
	}
	if err := o.apply(plan); err != nil {
		return Result{}, err
	}
	res.Identifiers = belonging(cands, plan)
	if tx.g.matcher != nil && len(plan.included) > 0 && hasProfileAttrs(&obs) {
		if err := o.match(plan); err != nil {
			return Result{}, err
		}
	}
	return res, nil
}

func (tx *Tx) nextObservation() (ObservationID, error) {
	n, err := store.NextSequence(tx.txn, seqObservation)
	return ObservationID(n), err
}

// validate normalizes and deduplicates the identifiers and checks the rest.
// It writes nothing, and reads only to recognize stored values (with r,
// unless it is nil: see Tx.Normalize), so Graph.Observe runs it before its
// transaction.
func (g *Graph) validate(r reader, obs Observation) ([]Identifier, int64, error) {
	max := g.opts.MaxIdentifiersPerObservation
	switch {
	case len(obs.Identifiers) == 0:
		return nil, 0, fmt.Errorf("%w: no identifiers", ErrInvalidObservation)
	case len(obs.Identifiers) > max:
		return nil, 0, fmt.Errorf("%w: %d identifiers, at most %d", ErrInvalidObservation, len(obs.Identifiers), max)
	case len(obs.Source) > 128 || !utf8.ValidString(obs.Source):
		return nil, 0, fmt.Errorf("%w: source must be valid UTF-8 of at most 128 bytes", ErrInvalidObservation)
	}
	if err := ident.Check(obs.Source); err != nil {
		return nil, 0, fmt.Errorf("%w: source: %v", ErrInvalidObservation, err)
	}
	at, err := g.checkTime(obs.Time)
	if err != nil {
		return nil, 0, err
	}
	if err := checkAttributes(obs.Attributes); err != nil {
		return nil, 0, err
	}
	if err := checkConsent(obs.Consent); err != nil {
		return nil, 0, err
	}
	out := make([]Identifier, 0, len(obs.Identifiers))
	for _, raw := range obs.Identifiers {
		id, err := g.normalize(r, raw)
		if err != nil {
			return nil, 0, err
		}
		if !slices.Contains(out, id) { // at most 64: a scan beats a map
			out = append(out, id)
		}
	}
	return out, at, nil
}

// checkTime returns t (or now) in Unix nanoseconds, refusing times before
// 1970 or more than a day ahead of the clock.
func (g *Graph) checkTime(t time.Time) (int64, error) {
	now := g.opts.Clock()
	if t.IsZero() {
		t = now
	}
	if t.Before(time.Unix(0, 1)) || t.After(now.Add(24*time.Hour)) {
		return 0, fmt.Errorf("%w: time %s outside 1970..now+24h", ErrInvalidObservation, t.Format(time.RFC3339))
	}
	return t.UnixNano(), nil
}

// observer carries the state of one Observe call.
type observer struct {
	tx    *Tx
	obs   *Observation
	at    int64
	id    ObservationID
	res   *Result
	custs map[CustomerID]*custRec // loaded customer records
}

// load reads each identifier's record and drops blocked and suppressed ones.
func (o *observer) load(ids []Identifier) ([]*cand, error) {
	cands := make([]*cand, 0, len(ids))
	for _, id := range ids {
		pol := o.tx.g.kinds[id.Kind]
		suppressed, err := o.tx.suppressed(id)
		if err != nil {
			return nil, err
		}
		if suppressed {
			o.res.Refusals = append(o.res.Refusals, Refusal{Guard: GuardSuppressed, Identifier: id})
			continue
		}
		c := &cand{id: id, pol: pol}
		c.rec, c.exists, err = getRec(o.tx.txn, identKey(id), decodeIdent)
		if err != nil {
			return nil, err
		}
		if !c.exists && pol.blocked(id.Value) {
			if err := o.refuse(Refusal{Guard: GuardBlocked, Identifier: id}); err != nil {
				return nil, err
			}
			continue
		}
		cands = append(cands, c)
	}
	return o.sameValues(cands)
}

// sameValues adds to cands the stored identifiers their values reach in
// other kinds (a WhatsApp number's phone), unless observed too.
func (o *observer) sameValues(cands []*cand) ([]*cand, error) {
	for _, c := range cands {
		if c.via != nil {
			continue
		}
		for _, sv := range o.tx.g.same[c.id.Kind] {
			id := Identifier{Kind: sv.kind, Value: c.id.Value}
			if slices.ContainsFunc(cands, func(x *cand) bool { return x.id == id }) {
				continue
			}
			rec, found, err := getRec(o.tx.txn, identKey(id), decodeIdent)
			if err != nil {
				return nil, err
			}
			if found {
				cands = append(cands, &cand{id: id, pol: o.tx.g.kinds[sv.kind], rec: rec, exists: true, via: c, viaStrength: sv.strength})
			}
		}
	}
	return cands, nil
}

func (o *observer) cust(c CustomerID) (*custRec, error) {
	if r, ok := o.custs[c]; ok {
		return r, nil
	}
	r, found, err := getRec(o.tx.txn, custKey(c), decodeCust)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, fmt.Errorf("identity: identifier points to missing customer %s", c)
	}
	o.custs[c] = &r
	return &r, nil
}

// plan is the resolution of an observation: which customers become one and
// which identifiers join them.
type plan struct {
	merge    []CustomerID // customers to merge, ascending; the first survives
	included []*cand
}

// unchanged reports whether the plan only sees identifiers one customer
// already has: it merges nothing and adds nothing, so no guard can object
// and the customer record stays as it is (see Customer.Updated).
func (p plan) unchanged() bool {
	return len(p.merge) == 1 && !slices.ContainsFunc(p.included, func(c *cand) bool { return !c.exists })
}

// resolve decides the merge set, holding identifiers back (lowest priority
// first) until no guard objects.
func (o *observer) resolve(cands []*cand) (plan, error) {
	for {
		p, weak, err := o.mergeSet(cands)
		if err != nil {
			return plan{}, err
		}
		held, ref, err := o.guard(p)
		if err != nil {
			return plan{}, err
		}
		if held == nil {
			for _, r := range weak {
				if err := o.refuse(r); err != nil {
					return plan{}, err
				}
			}
			return p, nil
		}
		if err := o.refuse(ref); err != nil {
			return plan{}, err
		}
		cands = slices.DeleteFunc(cands, func(c *cand) bool { return c == held || c.via == held })
	}
}

// mergeSet applies the strength rules: strong identifiers merge their
// customers; weak ones bring in anonymous customers (no strong identifier)
// and, when the observation has no strong identifier, one known customer:
// of several, the one whose identifier was seen most recently (see
// recentOwner). An identifier reached by a value shared as weak evidence
// brings in its known customer unless an observed identifier already
// belongs to a known customer. Weak identifiers of other known customers
// stay where they are, each refused with GuardWeak.
func (o *observer) mergeSet(cands []*cand) (plan, []Refusal, error) {
	var merge []CustomerID // a handful at most: a slice beats a map
	add := func(c CustomerID) {
		if !slices.Contains(merge, c) {
			merge = append(merge, c)
		}
	}
	var knownWeak, knownReached []CustomerID
	newStrong, oldStrong := false, false
	for _, c := range cands {
		if c.strong() {
			if c.exists {
				add(c.rec.Cust)
				oldStrong = oldStrong || c.via == nil
			} else {
				newStrong = true
			}
		}
	}
	for _, c := range cands {
		if c.strong() || !c.exists || slices.Contains(merge, c.rec.Cust) {
			continue
		}
		r, err := o.cust(c.rec.Cust)
		if err != nil {
			return plan{}, nil, err
		}
		switch {
		case r.Strong == 0:
			add(c.rec.Cust)
		case c.via != nil:
			if !slices.Contains(knownReached, c.rec.Cust) {
				knownReached = append(knownReached, c.rec.Cust)
			}
		case !slices.Contains(knownWeak, c.rec.Cust):
			knownWeak = append(knownWeak, c.rec.Cust)
		}
	}
	strongPresent := newStrong || slices.ContainsFunc(cands, func(c *cand) bool { return c.strong() && c.exists })
	switch {
	case !strongPresent && len(knownWeak) > 0:
		add(recentOwner(cands, knownWeak))
	case !oldStrong && len(knownReached) > 0:
		// A value shared as weak evidence (a WhatsApp number's phone)
		// joins its customer unless the observation's own identifiers
		// are some other known customer's.
		add(recentOwner(cands, knownReached))
	}
	slices.Sort(merge)
	p := plan{merge: merge}
	var held []*cand
	for _, c := range cands {
		if !c.exists || slices.Contains(merge, c.rec.Cust) {
			p.included = append(p.included, c)
		} else {
			held = append(held, c)
		}
	}
	refusals := make([]Refusal, len(held))
	for i, c := range held {
		refusals[i] = Refusal{Guard: GuardWeak, Identifier: c.id, Customer: c.rec.Cust, Against: idsOf(p.included, nil)}
	}
	return p, refusals, nil
}

// recentOwner picks, of the known customers owning weak identifiers of an
// observation with no strong one, the customer it resolves to: the owner
// of the identifier seen most recently (ties: the oldest customer). Two
// visitor IDs of two people on one browser most likely mean the one who
// used it last is back.
func recentOwner(cands []*cand, known []CustomerID) CustomerID {
	var best *cand
	for _, c := range cands {
		if !c.exists || !slices.Contains(known, c.rec.Cust) {
			continue
		}
		if best == nil || c.rec.Last > best.rec.Last || c.rec.Last == best.rec.Last && c.rec.Cust < best.rec.Cust {
			best = c
		}
	}
	return best.rec.Cust
}

// guard checks the kind limits and the size guard on the customer the plan
// would make, counting every identifier of the customers it merges (see
// [Graph.breach]). On a breach it returns the identifier to hold back:
// among the included ones that add to the breached count (new in the group,
// or bringing in a customer that has some), the one with the largest
// Priority (ties: the greatest value).
func (o *observer) guard(p plan) (*cand, Refusal, error) {
	if p.unchanged() {
		return nil, Refusal{}, nil
	}
	var m mergeCount
	for _, c := range p.merge {
		r, err := o.cust(c)
		if err != nil {
			return nil, Refusal{}, err
		}
		m.customer(r)
	}
	for _, c := range p.included {
		if !c.exists {
			m.identifier(c.pol, c.id)
		}
	}
	breach, group := o.tx.g.breach(&m)
	if breach == "" {
		return nil, Refusal{}, nil
	}
	var adding []*cand
	for _, c := range p.included {
		ok, err := o.adds(c, breach, group)
		if err != nil {
			return nil, Refusal{}, err
		}
		if ok {
			adding = append(adding, c)
		}
	}
	// Not empty: a breach needs a count above what one merged customer
	// has, so some identifier adds to it.
	held := slices.MaxFunc(adding, func(a, b *cand) int {
		return cmp.Or(cmp.Compare(a.pol.Priority, b.pol.Priority), cmp.Compare(a.id.String(), b.id.String()))
	})
	ref := Refusal{Guard: breach, Identifier: held.id}
	if len(p.merge) > 0 {
		ref.Customer = p.merge[0]
	}
	if breach == GuardLimit {
		against, err := o.groupMembers(p, group, held)
		if err != nil {
			return nil, Refusal{}, err
		}
		ref.Against = against
	} else {
		ref.Against = idsOf(p.included, held)
	}
	return held, ref, nil
}

// adds reports whether c adds to the count a guard objects to: a new
// identifier of the limit group (or a new strong one, for the size guard),
// or one that brings in a customer with identifiers counted there.
func (o *observer) adds(c *cand, breach Guard, group string) (bool, error) {
	if !c.exists {
		if breach == GuardLimit {
			return c.pol.Limit > 0 && c.pol.limitGroup(c.id.Value) == group, nil
		}
		return c.strong(), nil
	}
	r, err := o.cust(c.rec.Cust)
	if err != nil {
		return false, err
	}
	if breach == GuardLimit {
		return r.Groups[group] > 0, nil
	}
	return r.Strong > 0, nil
}

// groupMembers lists the identifiers of the plan's customers and new
// identifiers that fall in a limit group, other than held.
func (o *observer) groupMembers(p plan, group string, held *cand) ([]Identifier, error) {
	var out []Identifier
	for _, c := range p.merge {
		ids, err := o.tx.members(c)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if pol := o.tx.g.kinds[id.Kind]; pol != nil && pol.Limit > 0 && pol.limitGroup(id.Value) == group && id != held.id {
				out = append(out, id)
			}
		}
	}
	for _, c := range p.included {
		if !c.exists && c != held && c.pol.limitGroup(c.id.Value) == group {
			out = append(out, c.id)
		}
	}
	return out, nil
}

// belonging lists the identifiers of cands (in order) that belong to the
// plan's customer once it is applied: the included ones, and the held-back
// ones whose customer the plan merged.
func belonging(cands []*cand, p plan) []Identifier {
	if len(p.included) == 0 {
		return nil
	}
	out := make([]Identifier, 0, len(cands))
	for _, c := range cands {
		if c.via == nil && (slices.Contains(p.included, c) || c.exists && slices.Contains(p.merge, c.rec.Cust)) {
			out = append(out, c.id)
		}
	}
	return out
}

// idsOf lists the identifiers of cs other than skip.
func idsOf(cs []*cand, skip *cand) []Identifier {
	var out []Identifier
	for _, c := range cs {
		if c != skip {
			out = append(out, c.id)
		}
	}
	return out
}

// apply writes the plan: absorbs customers, adds identifiers, makes links.
func (o *observer) apply(p plan) error {
	res := o.res
	if len(p.included) == 0 {
		res.Outcome = OutcomeRefused
		return nil
	}
	var surv CustomerID
	var rec *custRec
	if len(p.merge) == 0 {
		n, err := nextCustomer(o.tx)
		if err != nil {
			return err
		}
		surv, rec = CustomerID(n), &custRec{Created: o.at}
		res.Outcome = OutcomeNew
		o.tx.changes = append(o.tx.changes, Change{Type: Created, Customer: surv, Time: fromNano(o.at)})
		if err := o.tx.history(surv, histRec{Type: Created, Time: o.at, Obs: o.id}); err != nil {
			return err
		}
	} else {
		surv = p.merge[0]
		res.Outcome = OutcomeExisting
		if !p.unchanged() {
			var err error
			if rec, err = o.cust(surv); err != nil {
				return err
			}
		}
		for _, c := range p.merge[1:] {
			if err := o.tx.absorb(c, surv, rec, o.at); err != nil {
				return err
			}
		}
	}
	res.Customer, res.Merged = surv, p.merge[min(1, len(p.merge)):]
	if err := o.addIdentifiers(p, surv, rec); err != nil {
		return err
	}
	if len(res.Merged) > 0 {
		res.Outcome = OutcomeMerged
	} else if res.Outcome == OutcomeExisting && len(res.Added) > 0 {
		res.Outcome = OutcomeAttached
	}
	if err := o.link(p); err != nil {
		return err
	}
	if len(res.Merged) > 0 {
		o.tx.changes = append(o.tx.changes, Change{Type: Merged, Customer: surv, Others: res.Merged, Time: fromNano(o.at)})
		if err := o.tx.history(surv, histRec{Type: Merged, Time: o.at, Obs: o.id, Others: res.Merged, Links: res.Links}); err != nil {
			return err
		}
	}
	if rec != nil {
		rec.Updated = max(rec.Updated, o.at)
		if err := o.tx.txn.Set(custKey(surv), rec.encode()); err != nil {
			return err
		}
	}
	anchor := anchorOf(p.included)
	if err := o.tx.writeAttributes(anchor, o.obs, o.at, o.id); err != nil {
		return err
	}
	return o.tx.writeConsent(anchor, o.obs.Consent, o.obs.Source, o.at)
}

func (o *observer) addIdentifiers(p plan, surv CustomerID, rec *custRec) error {
	for _, c := range p.included {
		if c.via != nil {
			continue // not seen: merging moved it
		}
		if !c.exists {
			seq, err := o.tx.nextIdentSeq()
			if err != nil {
				return err
			}
			c.rec = identRec{Seq: seq, First: o.at, Last: o.at}
			rec.add(c.pol, c.id)
			if err := o.tx.txn.Set(memberKey(surv, c.id), nil); err != nil {
				return err
			}
			o.res.Added = append(o.res.Added, c.id)
		}
		c.rec.Cust = surv
		c.rec.Seen++
		c.rec.Last = max(c.rec.Last, o.at)
		if o.obs.Verified {
			c.rec.Verified, c.rec.VerifiedSource, c.rec.VerifiedAt = true, o.obs.Source, o.at
		}
		if err := o.tx.txn.Set(identKey(c.id), c.rec.encode()); err != nil {
			return err
		}
	}
	return nil
}

// anchorOf picks the identifier every other one of an observation is linked
// to: an observed one (not reached by value), of the highest-priority
// kind, then the smallest value.
func anchorOf(cs []*cand) *cand {
	return slices.MinFunc(cs, func(a, b *cand) int {
		return cmp.Or(cmp.Compare(reached(a), reached(b)), cmp.Compare(a.pol.Priority, b.pol.Priority),
			cmp.Compare(a.id.String(), b.id.String()))
	})
}

// reached is 1 for an identifier reached by value, 0 for an observed one.
func reached(c *cand) int {
	if c.via != nil {
		return 1
	}
	return 0
}

// Link rules recorded as evidence.
const (
	RuleStrong   = "strong-identifier" // seen together, at least one strong
	RuleWeak     = "weak-identifier"   // seen together, both weak
	RuleDecision = "conflict-decision" // a person accepted a refused link
	// RuleSameValue links an observed identifier to a stored one of
	// another kind with the same value (see KindPolicy.SameValue).
	RuleSameValue = "same-value"
)

// link connects the anchor to every other included identifier not yet
// directly linked to it, and an identifier reached by value to the one it
// was reached from.
func (o *observer) link(p plan) error {
	anchor := anchorOf(p.included)
	for _, c := range p.included {
		if c == anchor {
			continue
		}
		from, rule := anchor, RuleWeak
		switch {
		case c.via != nil:
			from, rule = c.via, RuleSameValue
		case c.strong() || anchor.strong():
			rule = RuleStrong
		}
		r := linkRec{A: from.id, B: c.id, Rule: rule, Source: o.obs.Source, Obs: o.id, Time: o.at, Verified: o.obs.Verified}
		var l LinkID
		var err error
		made := true
		if from.exists && c.exists {
			l, made, err = o.tx.makeLink(r)
		} else {
			l, err = o.tx.storeLink(r) // an identifier new to the graph has no links yet
		}
		if err != nil {
			return err
		}
		if made {
			o.res.Links = append(o.res.Links, l)
		}
	}
	return nil
}

// makeLink stores a link unless the pair is already linked.
func (tx *Tx) makeLink(r linkRec) (LinkID, bool, error) {
	if has, err := tx.txn.Has(adjKey(r.A, r.B)); err != nil || has {
		return 0, false, err
	}
	l, err := tx.storeLink(r)
	return l, err == nil, err
}

// storeLink stores a link between two identifiers not linked yet.
func (tx *Tx) storeLink(r linkRec) (LinkID, error) {
	n, err := store.NextSequence(tx.txn, seqLink)
	if err != nil {
		return 0, err
	}
	l := LinkID(n)
	v := uvarint(n)
	for _, kv := range [][2][]byte{
		{linkKey(l), r.encode()},
		{adjKey(r.A, r.B), v},
		{adjKey(r.B, r.A), v},
		{obsLinkKey(r.Obs, l), nil},
		{sourceLinkKey(r.Source, l), nil},
	} {
		if err := tx.txn.Set(kv[0], kv[1]); err != nil {
			return 0, err
		}
	}
	return l, nil
}

// add counts a new identifier into the customer record.
func (r *custRec) add(p *KindPolicy, id Identifier) { r.count(p, id, 1) }

func (r *custRec) count(p *KindPolicy, id Identifier, d int) {
	r.Size = uint32(int(r.Size) + d)
	if p.Strength == Strong {
		r.Strong = uint32(int(r.Strong) + d)
	}
	if p.Limit > 0 {
		if r.Groups == nil {
			r.Groups = map[string]uint32{}
		}
		g := p.limitGroup(id.Value)
		r.Groups[g] = uint32(int(r.Groups[g]) + d)
		if r.Groups[g] == 0 {
			delete(r.Groups, g)
		}
	}
}
