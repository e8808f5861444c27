// Models tests live here.
