// ImageIO tests live here.
