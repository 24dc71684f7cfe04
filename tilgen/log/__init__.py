"""The learning log: saved notes read back, laid out, indexed, searched, edited and digested."""
