"""Tools around notes: evaluation, benchmarks, doctor and the vLLM serve command."""
