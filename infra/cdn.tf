# One CloudFront distribution, two origins: the media bucket (default behaviour, through
# Origin Access Control) and the app behind the ALB for its cacheable public paths. The app
# sets Cache-Control on those; CloudFront follows it.

locals {
  # AWS managed policies, by their fixed IDs (the same in every account).
  cache_policy_caching_optimized          = "658327ea-f89d-4fab-a63d-7e88639e58f6" # CachingOptimized
  cache_policy_origin_headers_querystring = "4cc15a8a-d715-48a4-82b8-cc0b614638fe" # UseOriginCacheControlHeaders-QueryStrings
  cache_policy_origin_headers             = "83da9c7e-98b4-4e11-a168-04f0df8e2c65" # UseOriginCacheControlHeaders
  cache_policy_caching_disabled           = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad" # CachingDisabled
  origin_request_all_viewer_except_host   = "b689b0a8-53d0-40ab-baf2-68738e2966ac" # AllViewerExceptHostHeader

  media_origin_id = "media"
  app_origin_id   = "app"

  # The app's public paths, first match wins (CloudFront tries them in this order). Embeds,
  # the phone page and the public JSON vary by query string and say how long to keep them
  # (Cache-Control max-age=15 with an ETag, docs/embeds.md); content-hashed static assets
  # never vary. The live stream is never cached: pages served here follow it on the ALB
  # (EMBED_BASE_URL), and this behaviour only keeps a stray request from being cached.
  app_cached_paths = [
    { path = "/embed/*/live", cache_policy = local.cache_policy_caching_disabled },
    { path = "/embed*", cache_policy = local.cache_policy_origin_headers_querystring },
    { path = "/m/*", cache_policy = local.cache_policy_origin_headers_querystring },
    { path = "/api/v1/public/*", cache_policy = local.cache_policy_origin_headers_querystring },
    { path = "/static/*", cache_policy = local.cache_policy_origin_headers },
    { path = "/tv*", cache_policy = local.cache_policy_origin_headers_querystring },
  ]
}

resource "aws_cloudfront_origin_access_control" "media" {
  name                              = "${var.name}-media"
  description                       = "CloudFront reads the Chalkboard media bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_distribution" "cdn" {
  enabled         = true
  comment         = "${var.name} media and cacheable app paths"
  price_class     = var.cdn_price_class
  http_version    = "http2and3"
  is_ipv6_enabled = true

  origin {
    origin_id                = local.media_origin_id
    domain_name              = aws_s3_bucket.media.bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.media.id
  }

  # Addressed by the site's name, not the ALB's, so TLS to the origin matches its certificate.
  origin {
    origin_id   = local.app_origin_id
    domain_name = var.domain_name

    custom_origin_config {
      http_port              = 80
      https_port             = 443
      origin_protocol_policy = "https-only"
      origin_ssl_protocols   = ["TLSv1.2"]
    }
  }

  default_cache_behavior {
    target_origin_id       = local.media_origin_id
    viewer_protocol_policy = "redirect-to-https"
    allowed_methods        = ["GET", "HEAD"]
    cached_methods         = ["GET", "HEAD"]
    compress               = true
    cache_policy_id        = local.cache_policy_caching_optimized
  }

  dynamic "ordered_cache_behavior" {
    for_each = local.app_cached_paths

    content {
      path_pattern             = ordered_cache_behavior.value.path
      target_origin_id         = local.app_origin_id
      viewer_protocol_policy   = "redirect-to-https"
      allowed_methods          = ["GET", "HEAD", "OPTIONS"]
      cached_methods           = ["GET", "HEAD"]
      compress                 = true
      cache_policy_id          = ordered_cache_behavior.value.cache_policy
      origin_request_policy_id = local.origin_request_all_viewer_except_host
    }
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}
