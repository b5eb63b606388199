// Command gensdk generates the Node.js, Python and Go SDKs from schema.json with Pulumi's own code
// generators.
//
// `pulumi package gen-sdk` would do the same, but it drives code generation through the language
// plugins (pulumi-language-nodejs, -python, -go), which the Go module proxy reachable here does not
// serve. Calling the generator libraries directly gives the same output without those plugins.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-qemu-gensdk"

// generators maps each SDK directory under the output root to its generator. The schema has no
// package dependencies, so no loader and no local dependencies are needed.
var generators = map[string]func(*schema.Package) (map[string][]byte, error){
	"nodejs": func(p *schema.Package) (map[string][]byte, error) {
		return nodejs.GeneratePackage(tool, p, nil, nil, false, nil)
	},
	"python": func(p *schema.Package) (map[string][]byte, error) {
		return python.GeneratePackage(tool, p, nil, nil)
	},
	"go": func(p *schema.Package) (map[string][]byte, error) {
		return gogen.GeneratePackage(tool, p, nil)
	},
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: gensdk <schema.json> <nodejs|python|go> <out-dir>")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "gensdk:", err)
		os.Exit(1)
	}
}

func run(schemaPath, language, outDir string) error {
	generate, ok := generators[language]
	if !ok {
		return fmt.Errorf("unknown language %q (want nodejs, python or go)", language)
	}
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("parse %s: %w", schemaPath, err)
	}
	pkg, diags, err := schema.BindSpec(spec, schema.NewNullLoader(), schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	files, err := generate(pkg)
	if err != nil {
		return fmt.Errorf("%s: %w", language, err)
	}
	if err := os.RemoveAll(outDir); err != nil {
		return err
	}
	for name, content := range files {
		p := filepath.Join(outDir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
