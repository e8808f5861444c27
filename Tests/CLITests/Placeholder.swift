// CLI tests live here.
