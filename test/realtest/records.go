package realtest

import (
	"time"

	as "github.com/aerospike/aerospike-client-go/v8"

	"github.com/crossplane/crossplane-runtime/v2/pkg/errors"
)

// CheckIndexed reads keys in one batch and returns an error counting the
// records that are gone or changed: the i-th record must hold i in bin v,
// as the tests that guard against data loss write them. The batch tries
// each replica in turn, so a node that is restarting does not count as a
// loss.
func CheckIndexed(c *as.Client, keys []*as.Key) error {
	p := as.NewBatchPolicy()
	p.ReplicaPolicy, p.MaxRetries, p.SleepBetweenRetries, p.TotalTimeout = as.SEQUENCE, 10, 200*time.Millisecond, 10*time.Second
	recs, err := c.BatchGet(p, keys)
	if err != nil {
		return err
	}
	missing := 0
	for i, r := range recs {
		if r == nil || r.Bins["v"] != i {
			missing++
		}
	}
	if missing > 0 {
		return errors.Errorf("%d of %d records missing", missing, len(keys))
	}
	return nil
}
