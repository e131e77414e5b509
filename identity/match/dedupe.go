package match

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"
)

// Options configures [Dedupe], [LinkTables], [Estimate] and
// [EvaluateBlocking]. A nil *Options or the zero value means all defaults.
// Bulk runs only read it; Progress is called from the calling goroutine.
type Options struct {
	// Params are the model's parameters. Default: nil, estimated from the
	// records themselves without labels (see [Estimate]), with the
	// default bands (see [DefaultLinkProbability]).
	Params *Params
	// Blocking are the blocking rules (see [BlockingRule]): records that
	// agree on any rule's key are a candidate pair, as are records near
	// each other in name order (the sorted neighbourhood). Default:
	// [DefaultBlockingRules].
	Blocking []string
	// Training are the rules whose pairs the EM sessions of estimation
	// run on, one session a rule, each leaving out the fields its rule
	// constrains. Default: [DefaultTrainingRules].
	Training []string
	// Window is the sorted-neighbourhood window: each record is compared
	// with the Window-1 records after it in name order, and blocks larger
	// than BlockLimit are compared within such a window. Default: 5.
	Window int
	// BlockLimit is the largest block compared all-pairs. Default: 64.
	BlockLimit int
	// ClusterProbability is the posterior match probability at or above
	// which a pair joins clusters. Default: 0, the link band
	// (Params.Link).
	ClusterProbability float64
	// ClusterReview lets pairs in the review band join clusters too,
	// still under the Linkage bound. Default: false.
	ClusterReview bool
	// Linkage bounds chaining: two clusters are joined only if the
	// average match probability over all pairs between them, pairs not
	// compared or less likely than 1 in 20 counting 0, is at least Linkage
	// (average linkage), so a chain of single links cannot glue many
	// people together. Default: 0.5; negative means no bound (single
	// linkage).
	Linkage float64
	// MaxClusterSize, if positive, refuses links that would make a
	// cluster larger. Default: 0, no limit.
	MaxClusterSize int
	// Workers is the number of goroutines comparing pairs. Default:
	// runtime.GOMAXPROCS(0).
	Workers int
	// Progress, if set, is called from the calling goroutine as the work
	// advances: at the start and end of each stage, and every 65,536
	// pairs.
	Progress func(Progress)
}

// Progress reports how far a bulk run is.
type Progress struct {
	Stage string // "prepare", "estimate", "score", "cluster"
	Done  int64  // records or pairs done in this stage
	Total int64  // records or pairs in this stage; -1 when not known ahead
}

func (o *Options) withDefaults() Options {
	var c Options
	if o != nil {
		c = *o
	}
	if c.Window <= 1 {
		c.Window = 5
	}
	if c.BlockLimit <= 0 {
		c.BlockLimit = 64
	}
	if c.Linkage == 0 {
		c.Linkage = 0.5
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	return c
}

// Pair is a scored candidate pair at or above the review band.
type Pair struct {
	// A and B index the input: for [Dedupe] both index the records, with
	// A < B; for [LinkTables] A indexes the first table and B the second.
	A, B     int
	Weight   float64
	Decision Decision
	// Clustered says whether the pair's link was kept by clustering; a
	// Link pair is not when it would have broken a cluster guard.
	Clustered bool
}

// Stage is the wall time one stage took.
type Stage struct {
	Name     string
	Duration time.Duration
}

// Result is the output of a bulk run: a plain value owned by the caller.
type Result struct {
	// Params are the parameters used, estimated or given.
	Params Params
	// Pairs are the candidate pairs at or above the review band, ordered
	// by A then B.
	Pairs []Pair
	// Cluster gives each record its cluster: the smallest record index in
	// it. For [LinkTables], records are numbered first table first.
	Cluster []int
	// Compared counts the candidate pairs compared in one scoring pass.
	Compared int64
	// EMIterations is the number of EM iterations run over all sessions
	// (0 with given parameters).
	EMIterations int
	// Estimation reports how the parameters were estimated; nil with
	// given parameters.
	Estimation *Estimation
	// Blocking reports the candidate pairs of each blocking rule, in
	// order, the sorted neighbourhood ("sorted-neighbourhood") last.
	Blocking []RuleReport
	// Stages are the stages run, in order, with their wall time.
	Stages []Stage
}

// RuleReport is what one blocking rule contributed to the candidate pairs.
type RuleReport struct {
	Rule string
	// Pairs counts the candidate pairs the rule found that no earlier
	// rule had; Cumulative the candidate pairs of this rule and all
	// earlier ones.
	Pairs, Cumulative int64
}

// sortedNeighbourhood names the sorted neighbourhood in a [RuleReport].
const sortedNeighbourhood = "sorted-neighbourhood"

// Clusters returns the clusters of more than one record, each sorted, in
// order of their first record.
func (r *Result) Clusters() [][]int {
	byRoot := map[int][]int{}
	for i, c := range r.Cluster {
		byRoot[c] = append(byRoot[c], i)
	}
	var out [][]int
	for _, m := range byRoot {
		if len(m) > 1 {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b []int) int { return cmp.Compare(a[0], b[0]) })
	return out
}

// Dedupe finds the records of recs that are one person. It compares only
// candidate pairs found by blocking, estimates the parameters from the
// records unless opts gives them, scores every candidate pair and clusters
// the linked ones under the cluster guards. Memory grows with the number of
// records and of pairs at or above the review band, not with the number of
// pairs compared.
func Dedupe(ctx context.Context, recs []Record, opts *Options) (*Result, error) {
	return run(ctx, recs, nil, opts)
}

// LinkTables finds the records of b that are the same people as records of
// a (a CRM export against an existing table), comparing only pairs with
// one record from each. Clusters may hold several records of one table
// when they link to the same record of the other.
func LinkTables(ctx context.Context, a, b []Record, opts *Options) (*Result, error) {
	all := slices.Concat(a, b)
	side := make([]bool, len(all))
	for i := len(a); i < len(all); i++ {
		side[i] = true
	}
	res, err := run(ctx, all, side, opts)
	if err != nil {
		return nil, err
	}
	for i := range res.Pairs {
		res.Pairs[i].B -= len(a)
	}
	return res, nil
}

type runner struct {
	ctx   context.Context
	o     Options
	recs  []*Prepared
	side  []bool
	res   *Result
	start time.Time
	// weak are the pairs scored below the review band but with a match
	// probability of at least weakProbability: not reported, they count
	// towards the linkage bound of clustering.
	weak []Pair
}

// weakProbability is the least match probability of a pair that counts
// towards the linkage bound.
const weakProbability = 0.05

func (r *runner) stage(name string) {
	now := time.Now()
	if n := len(r.res.Stages); n > 0 {
		r.res.Stages[n-1].Duration = now.Sub(r.start)
	}
	r.start = now
	if name != "" {
		r.res.Stages = append(r.res.Stages, Stage{Name: name})
	}
}

func (r *runner) progress(stage string, done, total int64) {
	if r.o.Progress != nil {
		r.o.Progress(Progress{Stage: stage, Done: done, Total: total})
	}
}

func run(ctx context.Context, in []Record, side []bool, opts *Options) (*Result, error) {
	o := opts.withDefaults()
	r := &runner{ctx: ctx, o: o, side: side, res: &Result{}}
	rules, training, err := o.rules()
	if err != nil {
		return nil, err
	}
	var params Params
	if o.Params != nil {
		params = o.Params.Clone()
		if err := params.Validate(); err != nil {
			return nil, err
		}
	}
	r.stage("prepare")
	r.progress("prepare", 0, int64(len(in)))
	r.recs = prepareAll(in, o.Workers)
	tf := NewTermCounts()
	for _, p := range r.recs {
		tf.Add(p)
	}
	r.progress("prepare", int64(len(in)), int64(len(in)))
	b := newBlocker(r.recs, side, rules, o.Window, o.BlockLimit)
	if o.Params == nil {
		r.stage("estimate")
		r.progress("estimate", 0, -1)
		if params, r.res.Estimation, err = r.estimate(b, training); err != nil {
			return nil, err
		}
		for _, s := range r.res.Estimation.Sessions {
			r.res.EMIterations += s.Iterations
		}
	}
	model, err := NewModel(params, tf)
	if err != nil {
		return nil, fmt.Errorf("match: estimated parameters: %w", err)
	}
	// Each record is compared against the others (of the first table,
	// in a linkage).
	others := len(r.recs) - 1
	if side != nil {
		others = r.tableA()
	}
	model = model.ForRecords(others)
	r.res.Params = params
	r.stage("score")
	if err := r.score(b, model); err != nil {
		return nil, err
	}
	r.stage("cluster")
	r.progress("cluster", 0, int64(len(r.res.Pairs)))
	r.cluster(&params)
	r.progress("cluster", int64(len(r.res.Pairs)), int64(len(r.res.Pairs)))
	r.stage("")
	return r.res, nil
}

// Estimate fits parameters to recs without labels, as [Dedupe] does when
// Options.Params is nil, without scoring or clustering: to train on a CRM
// export the parameters that [identity.MatchOptions] then uses in real
// time. Options.Params is ignored.
//
// The method is Splink's: u is counted on random pairs of the whole
// table, which are almost all different people; m is estimated by
// expectation–maximisation in one session per training rule (pairs that
// agree on the rule's key, sampled where blocks are big), each session
// leaving out the fields its rule constrains, so that no field's m is
// fixed by the blocking that found its pairs, and the sessions' m are
// combined weighted by their expected matches; the prior, the share of
// matches among all pairs, is the fixed point of the expected matches
// among the candidate pairs. A field that hardly any pair has on both
// sides keeps the defaults of [DefaultParams]. The [Estimation] report
// says what happened.
func Estimate(ctx context.Context, recs []Record, opts *Options) (Params, *Estimation, error) {
	o := opts.withDefaults()
	rules, training, err := o.rules()
	if err != nil {
		return Params{}, nil, err
	}
	r := &runner{ctx: ctx, o: o, res: &Result{}}
	r.recs = prepareAll(recs, o.Workers)
	return r.estimate(newBlocker(r.recs, nil, rules, o.Window, o.BlockLimit), training)
}

// rules parses the blocking and training rules.
func (o *Options) rules() (blocking, training []BlockingRule, err error) {
	if blocking, err = parseRules(o.Blocking, DefaultBlockingRules); err != nil {
		return nil, nil, err
	}
	training, err = parseRules(o.Training, DefaultTrainingRules)
	return blocking, training, err
}

func prepareAll(in []Record, workers int) []*Prepared {
	out := make([]*Prepared, len(in))
	var wg sync.WaitGroup
	chunk := (len(in) + workers - 1) / workers
	for lo := 0; lo < len(in); lo += chunk {
		hi := min(lo+chunk, len(in))
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				out[i] = Prepare(&in[i])
			}
		})
	}
	wg.Wait()
	return out
}

// forPairs runs work over every candidate pair in batches, each batch split
// among the workers; worker w gets its own index so it can keep its own
// state without locks.
func (r *runner) forPairs(b *blocker, stage string, work func(w int, i, j int32, rule int)) (int64, error) {
	const batch = 1 << 16
	buf := make([][3]int32, 0, batch)
	var done int64
	var err error
	flush := func() {
		var wg sync.WaitGroup
		chunk := (len(buf) + r.o.Workers - 1) / r.o.Workers
		for w := range r.o.Workers {
			lo, hi := min(w*chunk, len(buf)), min((w+1)*chunk, len(buf))
			wg.Go(func() {
				for _, p := range buf[lo:hi] {
					work(w, p[0], p[1], int(p[2]))
				}
			})
		}
		wg.Wait()
		done += int64(len(buf))
		buf = buf[:0]
		r.progress(stage, done, -1)
	}
	b.pairs(func(i, j int32, rule int) bool {
		buf = append(buf, [3]int32{i, j, int32(rule)})
		if len(buf) == batch {
			flush()
			if err = r.ctx.Err(); err != nil {
				return false
			}
		}
		return true
	})
	if err != nil {
		return done, err
	}
	flush()
	return done, r.ctx.Err()
}

func (r *runner) score(b *blocker, m *Model) error {
	local := make([][]Pair, r.o.Workers)
	weak := make([][]Pair, r.o.Workers)
	perRule := make([][]int64, r.o.Workers)
	for w := range perRule {
		perRule[w] = make([]int64, len(b.rules)+1)
	}
	floor := WeightOf(weakProbability)
	n, err := r.forPairs(b, "score", func(w int, i, j int32, rule int) {
		perRule[w][rule]++
		c := Compare(r.recs[i], r.recs[j])
		wt := m.weightOf(&c, r.recs[i])
		if c.Contradicts() || wt < floor {
			return
		}
		p := Pair{A: int(i), B: int(j), Weight: wt, Decision: m.band(wt)}
		if p.Decision == NoMatch {
			weak[w] = append(weak[w], p)
			return
		}
		local[w] = append(local[w], p)
	})
	if err != nil {
		return err
	}
	r.res.Compared = n
	var cum int64
	for k := range len(b.rules) + 1 {
		rep := RuleReport{Rule: sortedNeighbourhood}
		if k < len(b.rules) {
			rep.Rule = b.rules[k].spec
		}
		for w := range perRule {
			rep.Pairs += perRule[w][k]
		}
		cum += rep.Pairs
		rep.Cumulative = cum
		r.res.Blocking = append(r.res.Blocking, rep)
	}
	r.weak = slices.Concat(weak...)
	r.res.Pairs = slices.Concat(local...)
	slices.SortFunc(r.res.Pairs, func(x, y Pair) int { return cmp.Or(cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B)) })
	return nil
}

// cluster joins pairs at or above the cluster threshold, strongest first,
// refusing a join that would put two different Exclusive values in one
// cluster, fall below the Linkage bound or exceed MaxClusterSize.
func (r *runner) cluster(params *Params) {
	n := len(r.recs)
	threshold := params.Link
	if r.o.ClusterProbability > 0 {
		threshold = WeightOf(min(r.o.ClusterProbability, 1-1e-12))
	}
	if r.o.ClusterReview {
		threshold = min(threshold, params.Review)
	}
	c := newClusters(n, r.recs, r.side)
	for _, p := range r.weak {
		c.adjacent(int32(p.A), int32(p.B), float32(ProbabilityOf(p.Weight)))
	}
	r.weak = nil
	var order []int
	for k, p := range r.res.Pairs {
		c.adjacent(int32(p.A), int32(p.B), float32(ProbabilityOf(p.Weight)))
		if p.Weight >= threshold {
			order = append(order, k)
		}
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(r.res.Pairs[y].Weight, r.res.Pairs[x].Weight) })
	for _, k := range order {
		p := &r.res.Pairs[k]
		p.Clustered = c.join(int32(p.A), int32(p.B), r.o.Linkage, r.o.MaxClusterSize)
	}
	r.res.Cluster = make([]int, n)
	for i := range n {
		r.res.Cluster[i] = int(c.find(int32(i)))
	}
}

// clusters is a union-find over records that keeps each cluster's members
// and every record's scored pairs, for the linkage bound.
type clusters struct {
	parent  []int32
	members [][]int32 // of each root
	side    []bool    // for linkage: which table a record comes from; nil for deduplication
	excl    []string  // of each root: its Exclusive value, if any
	adj     [][]edge
}

type edge struct {
	to int32
	p  float32 // match probability
}

func newClusters(n int, recs []*Prepared, side []bool) *clusters {
	c := &clusters{parent: make([]int32, n), members: make([][]int32, n), side: side, excl: make([]string, n),
		adj: make([][]edge, n)}
	for i := range c.parent {
		c.parent[i], c.members[i], c.excl[i] = int32(i), []int32{int32(i)}, recs[i].exclusive
	}
	return c
}

func (c *clusters) adjacent(a, b int32, p float32) {
	c.adj[a] = append(c.adj[a], edge{b, p})
	c.adj[b] = append(c.adj[b], edge{a, p})
}

func (c *clusters) find(x int32) int32 {
	for c.parent[x] != x {
		c.parent[x] = c.parent[c.parent[x]]
		x = c.parent[x]
	}
	return x
}

// comparable is the number of pairs between clusters a and b that could
// be compared: all of them, or in a linkage those across the tables.
func (c *clusters) comparable(a, b int32) float64 {
	na, nb := len(c.members[a]), len(c.members[b])
	if c.side == nil {
		return float64(na) * float64(nb)
	}
	sa, sb := 0, 0 // members from the second table
	for _, x := range c.members[a] {
		if c.side[x] {
			sa++
		}
	}
	for _, x := range c.members[b] {
		if c.side[x] {
			sb++
		}
	}
	return float64((na-sa)*sb + sa*(nb-sb))
}

// join joins the clusters of a and b unless a guard refuses, and reports
// whether they are one cluster afterwards.
func (c *clusters) join(a, b int32, linkage float64, maxSize int) bool {
	ra, rb := c.find(a), c.find(b)
	if ra == rb {
		return true
	}
	na, nb := len(c.members[ra]), len(c.members[rb])
	if maxSize > 0 && na+nb > maxSize || c.excl[ra] != "" && c.excl[rb] != "" && c.excl[ra] != c.excl[rb] {
		return false
	}
	if linkage >= 0 && (na > 1 || nb > 1) {
		small, other := ra, rb
		if nb < na {
			small, other = rb, ra
		}
		sum := 0.0
		for _, x := range c.members[small] {
			for _, e := range c.adj[x] {
				if c.find(e.to) == other {
					sum += float64(e.p)
				}
			}
		}
		if sum < linkage*c.comparable(ra, rb) {
			return false
		}
	}
	if ra > rb {
		ra, rb = rb, ra
	}
	c.parent[rb] = ra
	c.members[ra] = append(c.members[ra], c.members[rb]...)
	c.members[rb] = nil
	if c.excl[ra] == "" {
		c.excl[ra] = c.excl[rb]
	}
	return true
}
