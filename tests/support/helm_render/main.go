// helm-render renders a Helm chart the way `helm template` does, with Go's text/template and
// sprig (the engine Helm is built on), because Helm itself is not packaged in Debian. It implements
// only what ambientd's charts use: values.yaml merged with -f files (a null deletes a key), the
// Release/Chart/Capabilities objects, Helm's functions include, tpl, required, toYaml, fromYaml,
// toJson and lookup (always empty, as in `helm template`), and NOTES.txt.
//
// Usage:
//
//	helm-render -chart DIR [-f values.yaml]... [-name RELEASE] [-namespace NS] [-values-json] [-notes]
//
// -values-json prints the merged values as JSON (what Helm validates against values.schema.json);
// -notes prints the rendered NOTES.txt instead of the manifests.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

type fileList []string

func (f *fileList) String() string     { return strings.Join(*f, ",") }
func (f *fileList) Set(s string) error { *f = append(*f, s); return nil }

func die(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "helm-render: "+format+"\n", args...)
	os.Exit(1)
}

// normalize walks a decoded YAML tree and refuses maps with non-string keys, which yaml.v3 decodes
// as map[interface{}]interface{} (sprig's dict functions and toJson need string keys).
func normalize(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, e := range t {
			t[k] = normalize(e)
		}
		return t
	case map[interface{}]interface{}:
		die("a map with a non-string key (%v): values and templates use string keys only", t)
		return nil
	case []interface{}:
		for i, e := range t {
			t[i] = normalize(e)
		}
		return t
	default:
		return v
	}
}

func readYAMLMap(path string, mustExist bool) map[string]interface{} {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !mustExist {
			return map[string]interface{}{}
		}
		die("%v", err)
	}
	m := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &m); err != nil {
		die("%s: %v", path, err)
	}
	if m == nil {
		m = map[string]interface{}{}
	}
	return normalize(m).(map[string]interface{})
}

// coalesce merges override into base as Helm does for -f files: maps merge key by key, anything
// else replaces, and an explicit null removes the key.
func coalesce(base, override map[string]interface{}) map[string]interface{} {
	for k, v := range override {
		if v == nil {
			delete(base, k)
			continue
		}
		if om, ok := v.(map[string]interface{}); ok {
			if bm, ok := base[k].(map[string]interface{}); ok {
				base[k] = coalesce(bm, om)
				continue
			}
		}
		base[k] = v
	}
	return base
}

// toYAML is Helm's toYaml: block style, two-space indent, no trailing newline.
func toYAML(v interface{}) (string, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

func fromYAML(s string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		return map[string]interface{}{"Error": err.Error()}
	}
	if m == nil {
		return map[string]interface{}{}
	}
	return normalize(m).(map[string]interface{})
}

func isEmpty(v interface{}) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	}
	return false
}

func main() {
	var valueFiles fileList
	chart := flag.String("chart", "", "chart directory")
	release := flag.String("name", "release-name", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	valuesJSON := flag.Bool("values-json", false, "print the merged values as JSON and exit")
	notes := flag.Bool("notes", false, "print the rendered NOTES.txt instead of the manifests")
	flag.Var(&valueFiles, "f", "values file (repeatable; later files win)")
	flag.Parse()
	if *chart == "" || flag.NArg() != 0 {
		die("usage: helm-render -chart DIR [-f values.yaml]... [-name RELEASE] [-namespace NS] " +
			"[-values-json] [-notes]")
	}

	meta := readYAMLMap(filepath.Join(*chart, "Chart.yaml"), true)
	chartName, _ := meta["name"].(string)
	if chartName == "" {
		die("%s/Chart.yaml: no name", *chart)
	}
	values := readYAMLMap(filepath.Join(*chart, "values.yaml"), false)
	for _, f := range valueFiles {
		values = coalesce(values, readYAMLMap(f, true))
	}
	if *valuesJSON {
		out, err := json.MarshalIndent(values, "", "  ")
		if err != nil {
			die("values: %v", err)
		}
		fmt.Println(string(out))
		return
	}

	root := template.New(chartName).Option("missingkey=zero")
	funcs := sprig.TxtFuncMap()
	// Helm removes these two so a chart cannot read the renderer's environment.
	delete(funcs, "env")
	delete(funcs, "expandenv")
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["toJson"] = func(v interface{}) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if isEmpty(v) {
			return nil, errors.New(msg)
		}
		return v, nil
	}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		var b bytes.Buffer
		err := root.ExecuteTemplate(&b, name, data)
		return b.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		t, err := root.Clone()
		if err != nil {
			return "", err
		}
		if t, err = t.New("tpl").Parse(text); err != nil {
			return "", err
		}
		var b bytes.Buffer
		err = t.Execute(&b, data)
		return b.String(), err
	}
	funcs["lookup"] = func(string, string, string, string) map[string]interface{} {
		return map[string]interface{}{}
	}
	root.Funcs(funcs)

	var names []string
	templates := filepath.Join(*chart, "templates")
	err := filepath.Walk(templates, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(*chart, path)
		name := chartName + "/" + filepath.ToSlash(rel)
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if _, err := root.New(name).Parse(string(text)); err != nil {
			return err
		}
		names = append(names, name)
		return nil
	})
	if err != nil {
		die("%v", err)
	}
	sort.Strings(names)

	top := map[string]interface{}{
		"Values": values,
		"Release": map[string]interface{}{
			"Name": *release, "Namespace": *namespace, "Service": "Helm",
			"IsInstall": true, "IsUpgrade": false, "Revision": 1,
		},
		"Chart": map[string]interface{}{
			"Name": chartName, "Version": meta["version"], "AppVersion": meta["appVersion"],
		},
		"Capabilities": map[string]interface{}{
			"KubeVersion": map[string]interface{}{
				"Version": "v1.32.0", "GitVersion": "v1.32.0", "Major": "1", "Minor": "32",
			},
		},
	}
	render := func(name string) string {
		data := map[string]interface{}{}
		for k, v := range top {
			data[k] = v
		}
		data["Template"] = map[string]interface{}{"Name": name, "BasePath": chartName + "/templates"}
		var b bytes.Buffer
		if err := root.ExecuteTemplate(&b, name, data); err != nil {
			die("%v", err)
		}
		return strings.TrimSpace(strings.ReplaceAll(b.String(), "<no value>", ""))
	}

	for _, name := range names {
		base := filepath.Base(name)
		isNotes := base == "NOTES.txt"
		if *notes != isNotes || strings.HasPrefix(base, "_") {
			continue
		}
		if *notes {
			fmt.Println(render(name))
			return
		}
		if ext := filepath.Ext(base); ext != ".yaml" && ext != ".yml" {
			continue
		}
		if out := render(name); out != "" {
			fmt.Printf("---\n# Source: %s\n%s\n", name, out)
		}
	}
	if *notes {
		die("%s has no templates/NOTES.txt", *chart)
	}
}
