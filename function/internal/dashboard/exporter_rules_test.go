package dashboard

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestExporterMetrics(t *testing.T) {
	node := []string{"cluster_name", "service"}
	nsLabels := []string{"cluster_name", "service", "ns", "storage_engine"}
	cases := map[string]struct {
		reason string
		info   map[string]string
		want   map[string]*exporterMetric
	}{
		"NodeStats": {
			reason: "Statistics and service configuration that are numbers or bools become node_stats metrics; '-' turns to '_' and makes a gauge; other values are skipped.",
			info: map[string]string{
				infoStatistics:    "cluster_size=3;cluster_integrity=true;batch_index_queue=0:0,0:0;cluster_duplicate_nodes=null;client_connections_opened=7",
				infoServiceConfig: "proto-fd-max=15000;pidfile=/var/run/asd.pid",
			},
			want: map[string]*exporterMetric{
				"aerospike_node_stats_cluster_size":              {context: ctxNodeStats, stat: "cluster_size", labels: node, gauge: true, nss: map[string]bool{}},
				"aerospike_node_stats_cluster_integrity":         {context: ctxNodeStats, stat: "cluster_integrity", labels: node, gauge: true, nss: map[string]bool{}},
				"aerospike_node_stats_client_connections_opened": {context: ctxNodeStats, stat: "client_connections_opened", labels: node, nss: map[string]bool{}},
				"aerospike_node_stats_proto_fd_max":              {context: ctxNodeStats, stat: "proto-fd-max", labels: node, gauge: true, nss: map[string]bool{}},
			},
		},
		"Namespace": {
			reason: "Namespace stats carry ns and storage_engine; a device array stat is renamed and labelled by its device; a dotted config is a gauge.",
			info: map[string]string{
				infoNamespaces:           "disk",
				infoNamespace + "disk":   "storage-engine=device;storage-engine.file[0]=/data/disk.dat;storage-engine.file[0].used_bytes=5;storage-engine.stop-writes-used-pct=70;client_read_success=3;data_used_pct=1;strong-consistency=false",
				infoNamespace + "absent": "objects=1",
			},
			want: map[string]*exporterMetric{
				"aerospike_namespace_storage_engine_file_used_bytes": {
					context: ctxNamespace, stat: "storage-engine_file_used_bytes",
					labels: []string{"cluster_name", "service", "ns", "file_index", "file", "storage_engine"},
					nss:    map[string]bool{"disk": true},
				},
				"aerospike_namespace_storage_engine_stop_writes_used_pct": {context: ctxNamespace, stat: "storage-engine.stop-writes-used-pct", labels: nsLabels, gauge: true, nss: map[string]bool{"disk": true}},
				"aerospike_namespace_client_read_success":                 {context: ctxNamespace, stat: "client_read_success", labels: nsLabels, nss: map[string]bool{"disk": true}},
				"aerospike_namespace_data_used_pct":                       {context: ctxNamespace, stat: "data_used_pct", labels: nsLabels, gauge: true, nss: map[string]bool{"disk": true}},
				"aerospike_namespace_strong_consistency":                  {context: ctxNamespace, stat: "strong-consistency", labels: nsLabels, gauge: true, nss: map[string]bool{"disk": true}},
			},
		},
		"Latencies": {
			reason: "A histogram with data becomes <op>_<unit>_bucket (with le) and _count gauges; an empty one none.",
			info: map[string]string{
				infoLatencies: "batch-index:;{mem}-read:msec,12.0,0.00,0.00;{mem}-write:;{mem}-batch-sub-read:usec,1.5,3.00",
			},
			want: map[string]*exporterMetric{
				"aerospike_latencies_read_ms_bucket":           {context: ctxLatencies, stat: "read_ms_bucket", labels: []string{"cluster_name", "service", "ns", "le"}, gauge: true, nss: map[string]bool{"mem": true}},
				"aerospike_latencies_read_ms_count":            {context: ctxLatencies, stat: "read_ms_count", labels: []string{"cluster_name", "service", "ns"}, gauge: true, nss: map[string]bool{"mem": true}},
				"aerospike_latencies_batch_sub_read_us_bucket": {context: ctxLatencies, stat: "batch-sub-read_us_bucket", labels: []string{"cluster_name", "service", "ns", "le"}, gauge: true, nss: map[string]bool{"mem": true}},
				"aerospike_latencies_batch_sub_read_us_count":  {context: ctxLatencies, stat: "batch-sub-read_us_count", labels: []string{"cluster_name", "service", "ns"}, gauge: true, nss: map[string]bool{"mem": true}},
			},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			got := exporterMetrics(tc.info)
			if _, ok := got[nodeUp]; !ok {
				t.Errorf("%s is missing: the exporter always emits it", nodeUp)
			}
			delete(got, nodeUp)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(exporterMetric{})); diff != "" {
				t.Errorf("%s\nexporterMetrics() -want +got:\n%s", tc.reason, diff)
			}
		})
	}
}
