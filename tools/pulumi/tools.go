//go:build tools

// Package tools pins the Pulumi CLI we build from Go modules: the CLI cannot be downloaded here.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
