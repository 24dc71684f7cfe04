"""The remote backend: an OpenAI-compatible server (vLLM, llama.cpp's server)."""
