import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { acceptFindings } from '../nag';
import { securityHeaders } from './web-headers';

/** Properties of {@link Web}. */
export interface WebProps {
  /** Folder of the built SPA (the output of `vite build web`). */
  spaDirectory: string;
  /** The API's function URL, served under `/api/*`. */
  apiUrl: lambda.FunctionUrl;
  /** Contents of `/config.json`. */
  runtimeConfig: Record<string, unknown>;
  /** Hosted UI base URL, which the SPA calls for tokens. */
  signInDomain: string;
  logBucket: s3.IBucket;
}

// Paths that do not end in a file type the SPA build writes are SPA routes (such as
// /auth/callback or /r/team/python3.11, since repository names may contain dots), so they get
// index.html.
const SPA_FALLBACK_CODE = `function handler(event) {
  var request = event.request;
  var asset = /\\.(js|css|html|json|svg|png|ico|txt|map|woff2?|webmanifest)$/;
  if (request.uri.indexOf('/r/') === 0 || !asset.test(request.uri)) request.uri = '/index.html';
  return request;
}`;

/**
 * The web front door: the SPA in a private bucket behind CloudFront with origin access control,
 * and `/api/*` on the same origin, forwarded uncached to the API's function URL.
 */
export class Web extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: WebProps) {
    super(scope, id);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.logBucket,
      serverAccessLogsPrefix: 'web-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Berth: CSP, HSTS, nosniff, no framing',
      securityHeadersBehavior: securityHeaders(props.signInDomain),
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `Berth (${Stack.of(this).stackName})`,
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront/',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        functionAssociations: [
          {
            eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
            function: new cloudfront.Function(this, 'SpaFallback', {
              comment: 'Serves index.html for SPA routes',
              code: cloudfront.FunctionCode.fromInline(SPA_FALLBACK_CODE),
              runtime: cloudfront.FunctionRuntime.JS_2_0,
            }),
          },
        ],
      },
      additionalBehaviors: {
        '/api/*': {
          origin: origins.FunctionUrlOrigin.withOriginAccessControl(props.apiUrl, {
            readTimeout: Duration.seconds(30),
          }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: this.apiRequestPolicy(),
          responseHeadersPolicy: headers,
        },
      },
    });

    this.deploySpa(props);
    this.acceptNagFindings();
  }

  /** The site's address. */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }

  /**
   * Forwards the query string and the two headers the API reads: the Cognito token (CloudFront
   * replaces `Authorization` with its own signature) and the body hash that the signature needs.
   */
  private apiRequestPolicy(): cloudfront.OriginRequestPolicy {
    return new cloudfront.OriginRequestPolicy(this, 'ApiRequests', {
      comment: 'Berth API: query strings, token and body hash headers',
      queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.all(),
      headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(
        'X-Berth-Authorization',
        'x-amz-content-sha256',
      ),
      cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
    });
  }

  private acceptNagFindings(): void {
    acceptFindings(this.distribution, [
      {
        id: 'AwsSolutions-CFR1',
        reason: 'Registry users can be anywhere; every API route but health needs a sign-in.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'A web ACL costs a monthly fee even when idle; the API rejects unsigned and ' +
          'unauthenticated requests itself.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate fixes the viewer TLS policy; a custom ' +
          'domain with an ACM certificate would allow TLSv1.2_2021.',
      },
    ]);
  }

  private deploySpa(props: WebProps): void {
    new s3deploy.BucketDeployment(this, 'Spa', {
      // One deployment for both sources, because pruning would delete the other's files.
      sources: [
        s3deploy.Source.asset(props.spaDirectory),
        s3deploy.Source.jsonData('config.json', props.runtimeConfig),
      ],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 256,
    });
  }
}
