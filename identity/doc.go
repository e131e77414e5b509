// Package identity turns channel identifiers (email addresses, phone and
// WhatsApp numbers, social handles, chat visitor and device IDs, CRM
// account IDs) into one customer graph, where every merge can be explained
// and undone.
//
// The core types:
//
//   - [Identifier]: a [Kind] and a value, always stored canonical (see the
//     Normalize functions). Each kind has a [KindPolicy]: its normalizer,
//     whether it is [Strong] (a shared value merges customers) or [Weak]
//     (evidence only), a per-customer limit, a priority and blocked values.
//   - [Observation]: identifiers seen together in one interaction, with
//     source, time, verification, profile attributes and consent.
//   - [Link]: an edge between two identifiers with its evidence. A customer
//     is a connected component of links; [CustomerID]s are handed out in
//     increasing order.
//   - [Graph]: the graph in a [store.DB]. [Graph.Observe] resolves an
//     observation; [Graph.Lookup], [Graph.Customer], [Graph.Explain] and
//     [Graph.History] read; [Graph.Unlink] splits; [Graph.Forget] erases;
//     [Graph.Check] verifies the invariants.
//
// Resolution rules, in order:
//
//  1. Identifiers are normalized; invalid input fails the whole call with an
//     [*InvalidIdentifierError] and nothing is stored. Blocked values (and
//     values forgotten with suppression) are refused and never linked.
//  2. Customers reached through strong identifiers merge. Weak identifiers
//     bring in anonymous customers (those without a strong identifier);
//     with no strong identifier in the observation they also bring in one
//     known customer they belong to: of several (two people's visitor IDs
//     on one browser), the owner of the identifier seen most recently,
//     ties going to the oldest customer. A weak identifier of another known
//     customer stays where it is and the refusal is recorded
//     ([GuardWeak]), so such an observation still resolves.
//  3. If the resulting customer would exceed a kind's limit ([GuardLimit])
//     or Options.MaxStrongIdentifiers ([GuardSize]), counting every
//     identifier of the customers it merges, the observation's identifier
//     with the largest Priority among those adding to the count is held
//     back and resolution is retried. Every refusal is recorded as a [Conflict] that a person can
//     [Graph.Decide].
//  4. A merge keeps the oldest (smallest) customer ID; absorbed IDs stay
//     valid as aliases forever ([Graph.Resolve]). Each identifier of the
//     observation is linked to its anchor (the highest-priority one).
//
// Probabilistic matching: with Options.Matching ([MatchOptions]), an
// observation with profile attributes (names, birth date, address) is also
// scored, in the same transaction, against candidate profiles that a
// blocking index in the store finds (package match holds the engine; term
// frequencies live in the store too). A candidate above the link band is
// merged by a link whose evidence is the weight and every field's
// comparison, unless a guard refuses (kind limits, size): a probabilistic
// link never overrides a conflict between strong identifiers. A candidate
// between the bands becomes a [Review] item: [Graph.Reviews] lists them,
// [Graph.AcceptReview] links (recording who decided) and
// [Graph.RejectReview] records that the pair is two people, never
// suggested again. [Graph.Forget] erases profiles, index entries, term
// counts and reviews with the customer.
//
// Caveats:
//
//   - A value shared by many people joins customers until a guard fires:
//     with the defaults, a switchboard number gathers at most five emails
//     before the email limit stops it. Block known shared values.
//   - Without refusals, the partition into customers does not depend on the
//     order of observations. Guards make the outcome depend on order (the
//     first customer to use a shared value keeps it), deterministically.
//   - Subscribers ([Graph.Subscribe]) see changes committed through their
//     own Graph, after commit, in commit order.
//   - Forget erases the customer from every layer opened on the graph at
//     once: layers register an [Eraser] ([Graph.RegisterEraser]) and
//     record in the store that they hold data ([Tx.RequireEraser]), so a
//     Forget that cannot erase everything refuses
//     ([ErrIncompleteErasure]) instead of erasing the identity alone. It
//     deletes logically; call [store.DB.Compact] to remove the bytes from
//     the store's files.
//
// A [Graph] is safe for concurrent use. A [Tx] lets packages layered on
// identity (timeline) resolve identity and write their own data in one
// atomic transaction.
package identity
