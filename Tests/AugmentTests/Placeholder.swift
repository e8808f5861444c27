// Augment tests live here.
