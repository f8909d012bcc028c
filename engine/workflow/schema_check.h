// Pass 2 of workflow checking (loader.h): schemas/workflow.schema.json, embedded in the binary
// at build time (scripts/embed_files.cmake), applied with valijson over yaml-cpp nodes
// (yaml_adapter.h), each error mapped back to the line of the node it concerns.
//
// Messages name the place in workflow terms ("state 'verifying': transition on 'submit': ...")
// and say what was expected, e.g.
//   unknown top-level key 'intial' (allowed: any_state, description, id, initial, ...)
//   version: expected an integer, got 'one'
//   state 'received': transition on 'submit': unknown effect 'ack' (known: ...)
// Thread-safe (the parsed schema is built once, on first use, and only read afterwards).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "workflow/loader.h"

namespace dsar::workflow {

// The embedded schema text (JSON).
const char* WorkflowSchemaText();

// Validates `root` (the document of `file`, already checked for duplicate and non-scalar keys)
// against the schema. Returns the diagnostics sorted by line; empty when the document is valid.
std::vector<Diagnostic> CheckAgainstSchema(const YAML::Node& root, const std::string& file);

}  // namespace dsar::workflow
