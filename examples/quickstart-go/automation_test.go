package main

// TestAutomation runs the quick start through the Automation API as an inline program, so the CLI
// needs no Go language host (none is available where this project is tested). The e2e test drives
// it; by hand:
//
//	go test -run TestAutomation -args -action up [-stack dev] [-config key=value ...] [-result out.json]
//
// The backend and the rest come from the usual environment (PULUMI_BACKEND_URL,
// PULUMI_CONFIG_PASSPHRASE, ...). The engine's progress goes to stderr; the result (summary and
// outputs) is written as JSON to -result, or to stdout.

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

type configFlags []string

func (c *configFlags) String() string     { return strings.Join(*c, ",") }
func (c *configFlags) Set(v string) error { *c = append(*c, v); return nil }

var (
	action     = flag.String("action", "", "up, preview or destroy")
	stackName  = flag.String("stack", "dev", "stack name")
	resultFile = flag.String("result", "", "file for the JSON result (default stdout)")
	configs    configFlags
)

func init() {
	flag.Var(&configs, "config", "key=value stack config (repeatable)")
}

func TestAutomation(t *testing.T) {
	if *action == "" {
		t.Skip("runs only when asked for: -args -action up|preview|destroy")
	}
	ctx := context.Background()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	stack, err := auto.UpsertStackInlineSource(ctx, *stackName, "qemu-quickstart-go", quickstart, auto.WorkDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, kv := range configs {
		key, value, _ := strings.Cut(kv, "=")
		if err := stack.SetConfig(ctx, key, auto.ConfigValue{Value: value}); err != nil {
			t.Fatal(err)
		}
	}

	var result map[string]any
	switch *action {
	case "up":
		up, err := stack.Up(ctx, optup.ProgressStreams(os.Stderr))
		if err != nil {
			t.Fatal(err)
		}
		outputs := map[string]any{}
		for k, v := range up.Outputs {
			outputs[k] = v.Value
		}
		result = map[string]any{"result": up.Summary.Result, "changes": up.Summary.ResourceChanges, "outputs": outputs}
	case "preview":
		preview, err := stack.Preview(ctx, optpreview.ProgressStreams(os.Stderr))
		if err != nil {
			t.Fatal(err)
		}
		result = map[string]any{"changes": preview.ChangeSummary}
	case "destroy":
		destroy, err := stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stderr))
		if err != nil {
			t.Fatal(err)
		}
		result = map[string]any{"result": destroy.Summary.Result, "changes": destroy.Summary.ResourceChanges}
	default:
		t.Fatalf("unknown action %q (want up, preview or destroy)", *action)
	}

	text, err := json.Marshal(result)
	if err != nil {
		t.Fatal(err)
	}
	if *resultFile == "" {
		_, err = os.Stdout.Write(append(text, '\n'))
	} else {
		err = os.WriteFile(*resultFile, text, 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}
