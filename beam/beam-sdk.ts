// Loads the parts of the Apache Beam SDK the curated pipeline and the DirectRunner use, without the
// SDK's root module: the root also loads its io (the Pub/Sub and BigQuery wrappers, hence google-gax
// and the Google client libraries), about half of the SDK's load time, ~0.3 s of CPU that every
// file-mode worker thread would pay again (docs/PERFORMANCE.md). The SDK's modules import each
// other in a cycle that only resolves when pvalue loads first, as the root loads it; importing a
// runner or transforms module on its own fails with "Class extends value undefined". Modules that
// use the SDK import this one before any other SDK module.
import 'apache-beam/pvalue';
import 'apache-beam/transforms';
import 'apache-beam/values';
import 'apache-beam/runners/direct_runner';
