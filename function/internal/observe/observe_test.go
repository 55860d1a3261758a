package observe

import (
	"testing"

	"google.golang.org/protobuf/types/known/structpb"

	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
)

func TestReadyCondition(t *testing.T) {
	obs := func(conds ...map[string]any) *fnv1.Resource {
		list := make([]any, len(conds))
		for i, c := range conds {
			list[i] = c
		}
		s, _ := structpb.NewStruct(map[string]any{"status": map[string]any{"conditions": list}})
		return &fnv1.Resource{Resource: s}
	}
	if readyCondition(obs()) {
		t.Error("no conditions is not ready")
	}
	if readyCondition(obs(map[string]any{"type": "Synced", "status": "True"}, map[string]any{"type": "Ready", "status": "False"})) {
		t.Error("Ready=False is not ready")
	}
	if !readyCondition(obs(map[string]any{"type": "Ready", "status": "True"})) {
		t.Error("Ready=True is ready")
	}
}
