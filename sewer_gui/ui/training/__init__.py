"""The training wizard's pages and the child process they run (one class per page)."""
