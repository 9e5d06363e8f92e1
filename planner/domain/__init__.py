"""Pure clinic rules: no Flask, no SQL, only the standard library."""
