import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acceptWildcardResource } from '../nag';

/** Properties of {@link DataStore}. */
export interface DataStoreProps {
  /** Key prefix of results and statuses, ending with `/`. */
  prefix: string;
  /** Target of the server access logs. */
  logBucket: s3.IBucket;
}

/**
 * The data bucket: results and statuses under one prefix, with the file names of `DATA_DIR`.
 * Versioning keeps an overwritten result recoverable for 90 days.
 */
export class DataStore extends Construct {
  readonly bucket: s3.Bucket;
  readonly prefix: string;

  constructor(scope: Construct, id: string, props: DataStoreProps) {
    super(scope, id);

    this.prefix = props.prefix;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: props.logBucket,
      serverAccessLogsPrefix: 'data-bucket/',
      lifecycleRules: [
        { noncurrentVersionExpiration: Duration.days(90) },
        { abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Grants get, put, delete and list on the keys under the prefix, and nothing else. */
  grantReadWrite(grantee: iam.IGrantable): void {
    const objects = this.bucket.arnForObjects(`${this.prefix}*`);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [objects],
      }),
    );
    acceptWildcardResource(
      grantee,
      objects,
      'Results and statuses are one object per image tag under the data prefix.',
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [this.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${this.prefix}*`] } },
      }),
    );
  }

  /** Environment variables that locate the results. */
  get environment(): Record<string, string> {
    return { DATA_BUCKET: this.bucket.bucketName, DATA_PREFIX: this.prefix };
  }
}
