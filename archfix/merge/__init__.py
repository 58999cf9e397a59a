"""Support for the merge-entrypoints rule: model the variants, plan and render the merge, verify it."""
