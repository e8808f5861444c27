// Training tests live here.
