// Reports tests live here.
