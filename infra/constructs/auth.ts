import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acceptFindings } from '../nag';

/** Properties of {@link SignIn}. */
export interface SignInProps {
  /** Prefix of the hosted UI domain; @default `<stack name>-<account id>` in lower case */
  domainPrefix?: string;
}

/** Scopes the SPA requests. */
export const SIGN_IN_SCOPES = ['openid', 'email', 'profile'];

/** Path the hosted UI redirects back to; the SPA handles it. */
export const CALLBACK_PATH = '/auth/callback';

/** Cognito groups the API maps to roles from the `cognito:groups` claim. */
export const ROLE_GROUPS = ['admin', 'viewer'] as const;

/**
 * Sign-in: a Cognito user pool with the `admin` and `viewer` groups, the hosted UI domain and
 * a public app client (no secret) for the authorization code flow with PKCE.
 */
export class SignIn extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;

  constructor(scope: Construct, id: string, props: SignInProps = {}) {
    super(scope, id);

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const group of ROLE_GROUPS) {
      this.userPool.addGroup(`Group-${group}`, { groupName: group });
    }

    const stack = Stack.of(this);
    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: {
        domainPrefix: props.domainPrefix ?? `${stack.stackName.toLowerCase()}-${stack.account}`,
      },
    });

    // OAuth is switched on by allowSignInFrom once the CloudFront domain exists: the API
    // function needs this client's id and CloudFront needs the function, so setting the
    // callback URLs here would make a dependency cycle.
    this.client = this.userPool.addClient('WebClient', {
      generateSecret: false,
      disableOAuth: true,
      authFlows: {},
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });

    this.suppressNagFindings();
  }

  /** Values of the SPA's `/config.json`. */
  get runtimeConfig(): Record<string, unknown> {
    return {
      auth: {
        type: 'cognito',
        authority: this.userPool.userPoolProviderUrl,
        clientId: this.client.userPoolClientId,
        domain: this.domain.baseUrl(),
        scopes: SIGN_IN_SCOPES,
      },
    };
  }

  /**
   * Turns on the authorization code flow for the app client with callback and logout URLs on
   * `https://<domainName>`. Cognito applies PKCE to public clients such as this one.
   */
  allowSignInFrom(domainName: string): void {
    const origin = `https://${domainName}`;
    const call: cr.AwsSdkCall = {
      service: 'CognitoIdentityProvider',
      action: 'updateUserPoolClient',
      // UpdateUserPoolClient resets every field it is not given, so all of them are here.
      parameters: {
        UserPoolId: this.userPool.userPoolId,
        ClientId: this.client.userPoolClientId,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['code'],
        AllowedOAuthScopes: SIGN_IN_SCOPES,
        SupportedIdentityProviders: ['COGNITO'],
        CallbackURLs: [`${origin}${CALLBACK_PATH}`],
        LogoutURLs: [`${origin}/`],
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
        AccessTokenValidity: 60,
        IdTokenValidity: 60,
        RefreshTokenValidity: 30,
        TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
      },
      physicalResourceId: cr.PhysicalResourceId.of(`${this.node.addr}-hosted-ui`),
    };

    // NOTE: CloudFormation resets OAuth when it updates the client itself. Change the same
    // setting in the call above too, so that this resource runs again after that update.
    const update = new cr.AwsCustomResource(this, 'EnableHostedUi', {
      onCreate: call,
      onUpdate: call,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({
          actions: ['cognito-idp:UpdateUserPoolClient'],
          resources: [this.userPool.userPoolArn],
        }),
      ]),
      installLatestAwsSdk: false,
    });
    update.node.addDependency(this.client);
  }

  private suppressNagFindings(): void {
    acceptFindings(this.userPool, [
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is optional (TOTP only) so that users an administrator creates can sign in ' +
          'before they enrol a device; change mfa to REQUIRED to enforce it.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'Threat protection needs the Cognito Plus plan, billed per active user; sign-up is ' +
          'off and users are created by administrators.',
      },
    ]);
  }
}
