// Package match is a Fellegi–Sunter record matcher: it decides whether two
// profiles (names, date of birth, address, email, phone) are one person,
// with a score whose every part can be shown, for one pair at a time or for
// a whole table.
//
// The core types:
//
//   - [Record]: a profile as a CRM holds it; [Prepare] normalizes it once
//     ([Prepared]): Unicode folding and diacritics removal (é → e, ß → ss),
//     full-name splitting, date parsing, email local part, phone digits.
//     A Prepared encodes to bytes ([Prepared.AppendBinary]) and back, so
//     a store can keep records prepared and compare them without
//     preparing them again.
//   - [Comparison]: the graded level of each [Field] for a pair: exact,
//     close (Jaro–Winkler or Levenshtein within k), different, and missing,
//     which is neutral and never evidence against. Names also have
//     swapped (given and family exchanged, also with a typo in each),
//     variant (a nickname table shipped with the package: bob and
//     robert) and initial levels, and titles, suffixes and ordinals are
//     dropped ("Sir", "Jr", "3rd"); cities agree but for a typo; dates have
//     day/month transposed, one digit off, within 30 days and within five
//     years. Address, postcode, city
//     and region are one field, Location, graded from same address to
//     same city, so that one move or one shared home is not counted four
//     times.
//   - [Params]: m and u per level, the prior, and the decision bands;
//     saved and loaded as JSON or set by hand. [Model] scores pairs with
//     them and term frequencies ([Frequencies], [TermCounts]): agreeing on
//     a rare family name weighs more than on a common one.
//   - [Dedupe] and [LinkTables]: bulk runs. Blocking finds candidate pairs
//     without comparing all pairs: [BlockingRule]s given as data
//     (Options.Blocking, default [DefaultBlockingRules]: single fields
//     and combinations, exact, Soundex or prefix keys) and a sorted
//     neighbourhood on names; Result.Blocking reports each rule's pairs
//     and Estimation.PairsCompleteness the share of matches they are
//     estimated to find. The parameters are estimated from the data
//     without labels, every candidate is scored, and linked pairs are
//     clustered under guards.
//   - [Evaluate] and [EvaluateBlocking]: pairwise and B-cubed precision,
//     recall and F1, pairs completeness and reduction ratio against a
//     known truth. Package synth generates people with duplicates and
//     ground truth.
//
// Estimation ([Estimate]) is Splink's method: u from random pairs of the
// whole table (almost all different people); m from several EM sessions,
// each on the pairs of one training rule and leaving out the fields that
// rule constrains (and the fields that depend on them: email local parts
// on names), so that no field's m is fixed by the blocking that found
// its pairs; the prior, the share of matches among all pairs, from the
// candidate pairs. Convergence, fallbacks to the defaults for fields the
// table hardly has, and an estimate of blocking's pairs completeness are
// reported ([Estimation]). A pair whose given names and birth dates both
// differ is held to be two people ([Comparison.Contradicts]); without
// that rule households (same home, family name and landline) score as
// matches, because conditional independence fails for them.
//
// Decisions: the match weight is the posterior log2 odds, prior included.
// At or above Params.Link a pair is linked, at or above Params.Review it
// goes to a person, below that nothing; defaults are posterior
// probabilities 0.95 and 0.5 ([DefaultLinkProbability]). Clustering joins
// pairs at or above its own threshold (Options.ClusterProbability, the
// link band by default; Options.ClusterReview admits the review band)
// strongest first, and refuses a join that would put two different
// [Record].Exclusive values (two account IDs) in one cluster or whose two
// clusters are, on average over all their pairs, less likely one person
// than Options.Linkage (average linkage), so weak links cannot chain
// strangers; there is no size cap unless Options.MaxClusterSize sets one.
//
// Caveats:
//
//   - The prior holds for a table the size the parameters were estimated
//     on; [Model.ForRecords] scales it down for a bigger one (the
//     identity package does, for its store's profile count).
//   - Conditional independence is assumed between fields, as in every
//     Fellegi–Sunter model; email local parts built from names are not
//     independent of names, which makes such agreements count a little
//     more than they should.
//   - Names are compared as bytes after folding; scripts without a Latin
//     folding (Chinese, Arabic) compare by exact and byte-level
//     similarity only.
//
// A [Model] and a [Prepared] are safe for concurrent use (a Prepared
// while nothing unmarshals into it); [TermCounts] is safe for concurrent
// reads only. Bulk runs use Options.Workers goroutines and call
// Options.Progress from the calling goroutine.
package match
