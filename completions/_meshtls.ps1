
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'meshtls' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'meshtls'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'meshtls' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('certgen', 'certgen', [CompletionResultType]::ParameterValue, 'Make the task''s CA, server and client certificates (X.509 v3, SANs, keys 0600)')
            [CompletionResult]::new('cert', 'cert', [CompletionResultType]::ParameterValue, 'Work with certificate files')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create Kubernetes objects as YAML, byte-identical to `kubectl create … --dry-run=client -o yaml`')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('proxy-config', 'proxy-config', [CompletionResultType]::ParameterValue, 'Inspect a proxy''s configuration, as `istioctl proxy-config`')
            [CompletionResult]::new('pc', 'pc', [CompletionResultType]::ParameterValue, 'Inspect a proxy''s configuration, as `istioctl proxy-config`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshtls;certgen' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Folder for the certificates and keys (created if missing)')
            [CompletionResult]::new('--ca-subject', '--ca-subject', [CompletionResultType]::ParameterName, 'The CA''s subject, openssl style')
            [CompletionResult]::new('--server-host', '--server-host', [CompletionResultType]::ParameterName, 'A DNS name for the server certificate; repeat for more. The first is also the CN. Default: <service>.<namespace>.svc.<cluster-domain> and its shorter forms')
            [CompletionResult]::new('--client-host', '--client-host', [CompletionResultType]::ParameterName, 'The client certificate''s DNS name (and CN). Default: client.<namespace>.svc.<cluster-domain>')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace used to derive host names')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace used to derive host names')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'Service name used to derive the server''s host names')
            [CompletionResult]::new('--cluster-domain', '--cluster-domain', [CompletionResultType]::ParameterName, 'Cluster DNS domain used to derive host names')
            [CompletionResult]::new('--key-type', '--key-type', [CompletionResultType]::ParameterName, 'Key algorithm for all three keys')
            [CompletionResult]::new('--days', '--days', [CompletionResultType]::ParameterName, 'Validity in days, from now')
            [CompletionResult]::new('--csr', '--csr', [CompletionResultType]::ParameterName, 'Also write the leaves'' certificate signing requests (*.csr), as the page''s openssl does')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace existing files, including the CA')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;cert' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show each certificate in PEM files: subject, SANs, serial, validity, key, CA flag, version')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshtls;cert;inspect' {
            [CompletionResult]::new('--ca', '--ca', [CompletionResultType]::ParameterName, 'Check each certificate''s chain against this CA bundle and say why it fails')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Evaluate validity at this instant (RFC 3339) instead of now')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;cert;help' {
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show each certificate in PEM files: subject, SANs, serial, validity, key, CA flag, version')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshtls;cert;help;inspect' {
            break
        }
        'meshtls;cert;help;help' {
            break
        }
        'meshtls;create' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'Create a Secret')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshtls;create;secret' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('generic', 'generic', [CompletionResultType]::ParameterValue, 'A generic (Opaque) secret from files, folders or literal values')
            [CompletionResult]::new('tls', 'tls', [CompletionResultType]::ParameterValue, 'A kubernetes.io/tls secret from a certificate and its key')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshtls;create;secret;generic' {
            [CompletionResult]::new('--from-file', '--from-file', [CompletionResultType]::ParameterName, 'A file ([KEY=]PATH; the key defaults to the file name) or a folder (each regular file)')
            [CompletionResult]::new('--from-literal', '--from-literal', [CompletionResultType]::ParameterName, 'A literal value (KEY=VALUE)')
            [CompletionResult]::new('--type', '--type', [CompletionResultType]::ParameterName, 'The Secret''s type (a generic secret has none unless given)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the object')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the object')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Accepted for kubectl compatibility; meshtls prints the object and sends nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;create;secret;tls' {
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'PEM certificate (chain) file')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'PEM private key file')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the object')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the object')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Accepted for kubectl compatibility; meshtls prints the object and sends nothing')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;create;secret;help' {
            [CompletionResult]::new('generic', 'generic', [CompletionResultType]::ParameterValue, 'A generic (Opaque) secret from files, folders or literal values')
            [CompletionResult]::new('tls', 'tls', [CompletionResultType]::ParameterValue, 'A kubernetes.io/tls secret from a certificate and its key')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshtls;create;secret;help;generic' {
            break
        }
        'meshtls;create;secret;help;tls' {
            break
        }
        'meshtls;create;secret;help;help' {
            break
        }
        'meshtls;create;help' {
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'Create a Secret')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshtls;create;help;secret' {
            [CompletionResult]::new('generic', 'generic', [CompletionResultType]::ParameterValue, 'A generic (Opaque) secret from files, folders or literal values')
            [CompletionResult]::new('tls', 'tls', [CompletionResultType]::ParameterValue, 'A kubernetes.io/tls secret from a certificate and its key')
            break
        }
        'meshtls;create;help;secret;generic' {
            break
        }
        'meshtls;create;help;secret;tls' {
            break
        }
        'meshtls;create;help;help' {
            break
        }
        'meshtls;completion' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;proxy-config' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`')
            [CompletionResult]::new('secrets', 'secrets', [CompletionResultType]::ParameterValue, 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`')
            [CompletionResult]::new('s', 's', [CompletionResultType]::ParameterValue, 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshtls;pc' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`')
            [CompletionResult]::new('secrets', 'secrets', [CompletionResultType]::ParameterValue, 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`')
            [CompletionResult]::new('s', 's', [CompletionResultType]::ParameterValue, 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshtls;proxy-config;secret' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin')
            [CompletionResult]::new('--admin', '--admin', [CompletionResultType]::ParameterName, 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT')
            [CompletionResult]::new('--proxy-admin-port', '--proxy-admin-port', [CompletionResultType]::ParameterName, 'The proxy''s admin port inside the pod')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE`')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE`')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--warn-days', '--warn-days', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this many days')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Evaluate validity at this instant (RFC 3339) instead of now')
            [CompletionResult]::new('--all-certs', '--all-certs', [CompletionResultType]::ParameterName, 'One row per certificate in a chain or bundle (istioctl shows the first only)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-days')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;proxy-config;secrets' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin')
            [CompletionResult]::new('--admin', '--admin', [CompletionResultType]::ParameterName, 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT')
            [CompletionResult]::new('--proxy-admin-port', '--proxy-admin-port', [CompletionResultType]::ParameterName, 'The proxy''s admin port inside the pod')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE`')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE`')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--warn-days', '--warn-days', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this many days')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Evaluate validity at this instant (RFC 3339) instead of now')
            [CompletionResult]::new('--all-certs', '--all-certs', [CompletionResultType]::ParameterName, 'One row per certificate in a chain or bundle (istioctl shows the first only)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-days')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;proxy-config;s' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin')
            [CompletionResult]::new('--admin', '--admin', [CompletionResultType]::ParameterName, 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT')
            [CompletionResult]::new('--proxy-admin-port', '--proxy-admin-port', [CompletionResultType]::ParameterName, 'The proxy''s admin port inside the pod')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE`')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE`')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--warn-days', '--warn-days', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this many days')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Evaluate validity at this instant (RFC 3339) instead of now')
            [CompletionResult]::new('--all-certs', '--all-certs', [CompletionResultType]::ParameterName, 'One row per certificate in a chain or bundle (istioctl shows the first only)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-days')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;pc;secret' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin')
            [CompletionResult]::new('--admin', '--admin', [CompletionResultType]::ParameterName, 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT')
            [CompletionResult]::new('--proxy-admin-port', '--proxy-admin-port', [CompletionResultType]::ParameterName, 'The proxy''s admin port inside the pod')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE`')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE`')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--warn-days', '--warn-days', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this many days')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Evaluate validity at this instant (RFC 3339) instead of now')
            [CompletionResult]::new('--all-certs', '--all-certs', [CompletionResultType]::ParameterName, 'One row per certificate in a chain or bundle (istioctl shows the first only)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-days')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;pc;secrets' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin')
            [CompletionResult]::new('--admin', '--admin', [CompletionResultType]::ParameterName, 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT')
            [CompletionResult]::new('--proxy-admin-port', '--proxy-admin-port', [CompletionResultType]::ParameterName, 'The proxy''s admin port inside the pod')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE`')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE`')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--warn-days', '--warn-days', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this many days')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Evaluate validity at this instant (RFC 3339) instead of now')
            [CompletionResult]::new('--all-certs', '--all-certs', [CompletionResultType]::ParameterName, 'One row per certificate in a chain or bundle (istioctl shows the first only)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-days')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;pc;s' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin')
            [CompletionResult]::new('--admin', '--admin', [CompletionResultType]::ParameterName, 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT')
            [CompletionResult]::new('--proxy-admin-port', '--proxy-admin-port', [CompletionResultType]::ParameterName, 'The proxy''s admin port inside the pod')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE`')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE`')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--warn-days', '--warn-days', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this many days')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Evaluate validity at this instant (RFC 3339) instead of now')
            [CompletionResult]::new('--all-certs', '--all-certs', [CompletionResultType]::ParameterName, 'One row per certificate in a chain or bundle (istioctl shows the first only)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-days')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;proxy-config;help' {
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshtls;proxy-config;help;secret' {
            break
        }
        'meshtls;proxy-config;help;help' {
            break
        }
        'meshtls;pc;help' {
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshtls;pc;help;secret' {
            break
        }
        'meshtls;pc;help;help' {
            break
        }
        'meshtls;help' {
            [CompletionResult]::new('certgen', 'certgen', [CompletionResultType]::ParameterValue, 'Make the task''s CA, server and client certificates (X.509 v3, SANs, keys 0600)')
            [CompletionResult]::new('cert', 'cert', [CompletionResultType]::ParameterValue, 'Work with certificate files')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create Kubernetes objects as YAML, byte-identical to `kubectl create … --dry-run=client -o yaml`')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('proxy-config', 'proxy-config', [CompletionResultType]::ParameterValue, 'Inspect a proxy''s configuration, as `istioctl proxy-config`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'meshtls;help;certgen' {
            break
        }
        'meshtls;help;cert' {
            [CompletionResult]::new('inspect', 'inspect', [CompletionResultType]::ParameterValue, 'Show each certificate in PEM files: subject, SANs, serial, validity, key, CA flag, version')
            break
        }
        'meshtls;help;cert;inspect' {
            break
        }
        'meshtls;help;create' {
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'Create a Secret')
            break
        }
        'meshtls;help;create;secret' {
            [CompletionResult]::new('generic', 'generic', [CompletionResultType]::ParameterValue, 'A generic (Opaque) secret from files, folders or literal values')
            [CompletionResult]::new('tls', 'tls', [CompletionResultType]::ParameterValue, 'A kubernetes.io/tls secret from a certificate and its key')
            break
        }
        'meshtls;help;create;secret;generic' {
            break
        }
        'meshtls;help;create;secret;tls' {
            break
        }
        'meshtls;help;completion' {
            break
        }
        'meshtls;help;proxy-config' {
            [CompletionResult]::new('secret', 'secret', [CompletionResultType]::ParameterValue, 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`')
            break
        }
        'meshtls;help;proxy-config;secret' {
            break
        }
        'meshtls;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
