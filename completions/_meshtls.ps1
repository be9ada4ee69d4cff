
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
            [CompletionResult]::new('render', 'render', [CompletionResultType]::ParameterValue, 'Print the task''s manifests (Istio install, namespace, policies, secrets, app, Sidecar, sleep)')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check Sidecar and PeerAuthentication YAML as Istio and its CRD schemas do')
            [CompletionResult]::new('analyze', 'analyze', [CompletionResultType]::ParameterValue, 'Find the misconfigurations Istio silently ignores for sidecar TLS termination (istioctl analyze style)')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('proxy-config', 'proxy-config', [CompletionResultType]::ParameterValue, 'Inspect a proxy''s configuration, as `istioctl proxy-config`')
            [CompletionResult]::new('pc', 'pc', [CompletionResultType]::ParameterValue, 'Inspect a proxy''s configuration, as `istioctl proxy-config`')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show what each ingress port of a workload gets from outside and inside the mesh, and why (as `istioctl x describe pod`, for the sidecar''s ingress)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Run the page''s checks (and negative ones) against a running sidecar, curl style')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run the whole task on this machine: certificates, manifests, sidecar, checks, secrets')
            [CompletionResult]::new('proxy', 'proxy', [CompletionResultType]::ParameterValue, 'Run one workload''s sidecar locally, configured from the task''s YAML (Sidecar, PeerAuthentication, Deployment annotations, Secrets), as Istio''s Envoy would serve it')
            [CompletionResult]::new('httpbin', 'httpbin', [CompletionResultType]::ParameterValue, 'Run the embedded httpbin (the task''s app)')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Server-side apply manifests to the cluster (field manager `meshtls`), as kubectl apply --server-side')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the cluster''s set-up for the task: istiod''s flag, namespace injection, the app''s sidecar volumes')
            [CompletionResult]::new('cleanup', 'cleanup', [CompletionResultType]::ParameterValue, 'Delete what the task created, as the page''s clean-up section; only objects meshtls applied')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the version, the git commit and the TLS stack (rustls, aws-lc) of this build')
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
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `text` fits the table to the terminal, `wide` never cuts a cell')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `text` fits the table to the terminal, `wide` never cuts a cell')
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
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, '`client` prints the object; `server` sends it as a server-side dry run; `none` applies it')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--apply', '--apply', [CompletionResultType]::ParameterName, 'Server-side apply the objects to the cluster instead of printing them')
            [CompletionResult]::new('--force-conflicts', '--force-conflicts', [CompletionResultType]::ParameterName, 'With --apply: take over fields that another field manager owns')
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
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, '`client` prints the object; `server` sends it as a server-side dry run; `none` applies it')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--apply', '--apply', [CompletionResultType]::ParameterName, 'Server-side apply the objects to the cluster instead of printing them')
            [CompletionResult]::new('--force-conflicts', '--force-conflicts', [CompletionResultType]::ParameterName, 'With --apply: take over fields that another field manager owns')
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
        'meshtls;render' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Write one file per resource into DIR (created if missing) instead of stdout')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'Read parameters from a YAML file (camelCase keys, e.g. `tlsPort: 9443`); flags override it')
            [CompletionResult]::new('--certs', '--certs', [CompletionResultType]::ParameterName, 'Folder with example.com.crt and <app>.<namespace>.svc.cluster.local.{crt,key}, for `secrets` [default: .; a bare `render` leaves the Secrets out when the folder has none of them]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `yaml`, the documents `kubectl apply -f` takes, or `json`, one List object as `kubectl get -o json` prints [default: yaml]')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `yaml`, the documents `kubectl apply -f` takes, or `json`, one List object as `kubectl get -o json` prints [default: yaml]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the app [default: test]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the app [default: test]')
            [CompletionResult]::new('--app', '--app', [CompletionResultType]::ParameterName, 'App name: ServiceAccount, Service, Deployment and the `app` label [default: httpbin]')
            [CompletionResult]::new('--sidecar-name', '--sidecar-name', [CompletionResultType]::ParameterName, 'Name of the Sidecar [default: ingress-sidecar]')
            [CompletionResult]::new('--peer-auth-name', '--peer-auth-name', [CompletionResultType]::ParameterName, 'Name of the workload PeerAuthentication [default: disable-peer-auth-for-external-mtls-port]')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'Name of the server''s tls Secret [default: httpbin-mtls-termination]')
            [CompletionResult]::new('--ca-secret', '--ca-secret', [CompletionResultType]::ParameterName, 'Name of the CA''s Secret [default: httpbin-mtls-termination-cacert]')
            [CompletionResult]::new('--sleep-namespace', '--sleep-namespace', [CompletionResultType]::ParameterName, 'Namespaces for the sleep client (repeat) [default: default and --namespace]')
            [CompletionResult]::new('--app-version', '--app-version', [CompletionResultType]::ParameterName, 'The app''s `version` label [default: v1]')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The app''s container image [default: docker.io/kennethreitz/httpbin]')
            [CompletionResult]::new('--app-port', '--app-port', [CompletionResultType]::ParameterName, 'The app container''s port, the listeners'' defaultEndpoint [default: 80]')
            [CompletionResult]::new('--tls-port', '--tls-port', [CompletionResultType]::ParameterName, 'Workload port of the TLS listener (Service targetPort, portLevelMtls key) [default: 9080]')
            [CompletionResult]::new('--http-port', '--http-port', [CompletionResultType]::ParameterName, 'Workload port of the plain HTTP listener [default: 9081]')
            [CompletionResult]::new('--service-tls-port', '--service-tls-port', [CompletionResultType]::ParameterName, 'Service port in front of the TLS port [default: 8443]')
            [CompletionResult]::new('--service-http-port', '--service-http-port', [CompletionResultType]::ParameterName, 'Service port in front of the HTTP port [default: 8080]')
            [CompletionResult]::new('--tls-mode', '--tls-mode', [CompletionResultType]::ParameterName, 'TLS mode of the Sidecar''s TLS listener [default: MUTUAL]')
            [CompletionResult]::new('--protocol', '--protocol', [CompletionResultType]::ParameterName, 'Declared protocol of the TLS listener [default: HTTPS]. GRPC, HTTP2 and TCP get no tls block (Istio allows one only on HTTPS and TLS ports), so they serve what their PeerAuthentication mode says')
            [CompletionResult]::new('--min-tls-version', '--min-tls-version', [CompletionResultType]::ParameterName, 'minProtocolVersion of the TLS listener')
            [CompletionResult]::new('--max-tls-version', '--max-tls-version', [CompletionResultType]::ParameterName, 'maxProtocolVersion of the TLS listener')
            [CompletionResult]::new('--cipher-suites', '--cipher-suites', [CompletionResultType]::ParameterName, 'cipherSuites of the TLS listener (OpenSSL names, comma-separated)')
            [CompletionResult]::new('--cert-mount', '--cert-mount', [CompletionResultType]::ParameterName, 'Where istio-proxy mounts the server Secret [default: /etc/istio/tls-certs/]')
            [CompletionResult]::new('--ca-mount', '--ca-mount', [CompletionResultType]::ParameterName, 'Where istio-proxy mounts the CA Secret [default: /etc/istio/tls-ca-certs/]')
            [CompletionResult]::new('--istio-api-version', '--istio-api-version', [CompletionResultType]::ParameterName, 'apiVersion of the Istio resources [default: v1]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--print-command', '--print-command', [CompletionResultType]::ParameterName, 'Print the equivalent `istioctl install --set …` command instead of the manifests')
            [CompletionResult]::new('--validate', '--validate', [CompletionResultType]::ParameterName, 'Check the Istio resources first (as `meshtls validate`); errors stop the render')
            [CompletionResult]::new('--apply', '--apply', [CompletionResultType]::ParameterName, 'Server-side apply the objects to the cluster instead of printing them')
            [CompletionResult]::new('--force-conflicts', '--force-conflicts', [CompletionResultType]::ParameterName, 'With --apply: take over fields that another field manager owns')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;validate' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace reported for objects that set none, as kubectl would apply them')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace reported for objects that set none, as kubectl would apply them')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Also read the folders below each folder given with -f')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Also read the folders below each folder given with -f')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;analyze' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable')
            [CompletionResult]::new('--certs', '--certs', [CompletionResultType]::ParameterName, 'Folder with the task''s certificate files (example.com.crt, <host>.crt/.key) to check too')
            [CompletionResult]::new('--istio-install', '--istio-install', [CompletionResultType]::ParameterName, 'The Istio install config: an IstioOperator, istiod Helm values, or `istioctl install --set …` text')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--failure-threshold', '--failure-threshold', [CompletionResultType]::ParameterName, 'The lowest level that makes the exit status 79')
            [CompletionResult]::new('--output-threshold', '--output-threshold', [CompletionResultType]::ParameterName, 'The lowest level that is printed (the exit status still counts every finding)')
            [CompletionResult]::new('--suppress', '--suppress', [CompletionResultType]::ParameterName, 'Silence a known finding: CODE=Kind/namespace/name (`*` matches anything); repeatable')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of objects that set none (as `kubectl apply -n`), named in the summary; the namespace read from the cluster [default: the context''s namespace with the cluster, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of objects that set none (as `kubectl apply -n`), named in the summary; the namespace read from the cluster [default: the context''s namespace with the cluster, else default]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Where istiod runs, for its ENABLE_TLS_ON_SIDECAR_INGRESS and the root namespace''s policies')
            [CompletionResult]::new('--istio-namespace', '--istio-namespace', [CompletionResultType]::ParameterName, 'Where istiod runs, for its ENABLE_TLS_ON_SIDECAR_INGRESS and the root namespace''s policies')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Judge certificate validity at this instant (RFC 3339) instead of now')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Print the documentation of an analyzer code (cause and fix), as `rustc --explain`, and exit')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Also read the folders below each folder given with -f')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Also read the folders below each folder given with -f')
            [CompletionResult]::new('--kube', '--kube', [CompletionResultType]::ParameterName, 'Read the namespace''s objects from the cluster too (the default when no file is given); files given with -f are laid over them, as `istioctl analyze` does')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
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
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--warn-within', '--warn-within', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)')
            [CompletionResult]::new('--warn-days', '--warn-days', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this many days (as --warn-within Nd)')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Evaluate validity at this instant (RFC 3339) instead of now')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--all-certs', '--all-certs', [CompletionResultType]::ParameterName, 'One row per certificate in a chain or bundle (istioctl shows the first only)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within')
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
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--warn-within', '--warn-within', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)')
            [CompletionResult]::new('--warn-days', '--warn-days', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this many days (as --warn-within Nd)')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Evaluate validity at this instant (RFC 3339) instead of now')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--all-certs', '--all-certs', [CompletionResultType]::ParameterName, 'One row per certificate in a chain or bundle (istioctl shows the first only)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within')
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
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--warn-within', '--warn-within', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)')
            [CompletionResult]::new('--warn-days', '--warn-days', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this many days (as --warn-within Nd)')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Evaluate validity at this instant (RFC 3339) instead of now')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--all-certs', '--all-certs', [CompletionResultType]::ParameterName, 'One row per certificate in a chain or bundle (istioctl shows the first only)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within')
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
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--warn-within', '--warn-within', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)')
            [CompletionResult]::new('--warn-days', '--warn-days', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this many days (as --warn-within Nd)')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Evaluate validity at this instant (RFC 3339) instead of now')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--all-certs', '--all-certs', [CompletionResultType]::ParameterName, 'One row per certificate in a chain or bundle (istioctl shows the first only)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within')
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
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--warn-within', '--warn-within', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)')
            [CompletionResult]::new('--warn-days', '--warn-days', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this many days (as --warn-within Nd)')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Evaluate validity at this instant (RFC 3339) instead of now')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--all-certs', '--all-certs', [CompletionResultType]::ParameterName, 'One row per certificate in a chain or bundle (istioctl shows the first only)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within')
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
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--warn-within', '--warn-within', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)')
            [CompletionResult]::new('--warn-days', '--warn-days', [CompletionResultType]::ParameterName, 'With --check: fail certificates that expire within this many days (as --warn-within Nd)')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Evaluate validity at this instant (RFC 3339) instead of now')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--all-certs', '--all-certs', [CompletionResultType]::ParameterName, 'One row per certificate in a chain or bundle (istioctl shows the first only)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within')
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
        'meshtls;describe' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable')
            [CompletionResult]::new('--workload', '--workload', [CompletionResultType]::ParameterName, 'The workload''s pod labels, when more than one Deployment could be meant (e.g. app=httpbin,version=v1)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of objects that set none (as `kubectl apply -n`); with `pod`, the pod''s namespace [default: the context''s namespace with a pod, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of objects that set none (as `kubectl apply -n`); with `pod`, the pod''s namespace [default: the context''s namespace with a pod, else default]')
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Where istiod runs (with `pod`: its ENABLE_TLS_ON_SIDECAR_INGRESS and the root namespace''s policies)')
            [CompletionResult]::new('--istio-namespace', '--istio-namespace', [CompletionResultType]::ParameterName, 'Where istiod runs (with `pod`: its ENABLE_TLS_ON_SIDECAR_INGRESS and the root namespace''s policies)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Count certificate days left from this instant (RFC 3339) instead of now')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Also read the folders below each folder given with -f')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Also read the folders below each folder given with -f')
            [CompletionResult]::new('--enable-tls-on-sidecar-ingress', '--enable-tls-on-sidecar-ingress', [CompletionResultType]::ParameterName, 'Act as if istiod had ENABLE_TLS_ON_SIDECAR_INGRESS=true (normally read from the IstioOperator in the input)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;verify' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable')
            [CompletionResult]::new('--workload', '--workload', [CompletionResultType]::ParameterName, 'The workload''s pod labels, when the manifests hold more than one (e.g. app=httpbin,version=v1)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the app [default: test]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the app [default: test]')
            [CompletionResult]::new('--service', '--service', [CompletionResultType]::ParameterName, 'The app''s Service name [default: httpbin]')
            [CompletionResult]::new('--sidecar-name', '--sidecar-name', [CompletionResultType]::ParameterName, 'The Sidecar''s name, as in x-envoy-decorator-operation [default: ingress-sidecar]')
            [CompletionResult]::new('--service-account', '--service-account', [CompletionResultType]::ParameterName, 'The app''s service account, the server''s SPIFFE identity [default: the service name]')
            [CompletionResult]::new('--tls-port', '--tls-port', [CompletionResultType]::ParameterName, 'Workload port of the TLS listener [default: 9080]')
            [CompletionResult]::new('--http-port', '--http-port', [CompletionResultType]::ParameterName, 'Workload port of the in-mesh HTTP listener [default: 9081]')
            [CompletionResult]::new('--service-tls-port', '--service-tls-port', [CompletionResultType]::ParameterName, 'Service port in front of the TLS port [default: 8443]')
            [CompletionResult]::new('--service-http-port', '--service-http-port', [CompletionResultType]::ParameterName, 'Service port in front of the HTTP port [default: 8080]')
            [CompletionResult]::new('--cluster-domain', '--cluster-domain', [CompletionResultType]::ParameterName, 'Cluster DNS domain of the service FQDN')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Where to connect for a logical port, like curl''s --resolve (the FQDN stays SNI and Host): PORT=HOST:PORT, PORT being a service (8443, 8080) or workload (9080, 9081) port; repeat. Default: 127.0.0.1 at the workload port, where `meshtls proxy` listens')
            [CompletionResult]::new('--certs', '--certs', [CompletionResultType]::ParameterName, 'Folder with the page''s files: example.com.{crt,key}, client.<ns>.svc.<domain>.{crt,key}')
            [CompletionResult]::new('--cacert', '--cacert', [CompletionResultType]::ParameterName, 'CA the server certificate must chain to (curl --cacert) [default: DIR/example.com.crt]')
            [CompletionResult]::new('--cert', '--cert', [CompletionResultType]::ParameterName, 'Client certificate (curl --cert) [default: DIR/client.<ns>.svc.<domain>.crt]')
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Client key (curl --key) [default: DIR/client.<ns>.svc.<domain>.key]')
            [CompletionResult]::new('--ca-key', '--ca-key', [CompletionResultType]::ParameterName, 'The CA''s key, to make an expired client certificate [default: DIR/example.com.key]')
            [CompletionResult]::new('--mesh-dir', '--mesh-dir', [CompletionResultType]::ParameterName, 'The local mesh CA folder `meshtls proxy` uses (default: $HOME/.meshtls/mesh); the in-mesh client''s identity is issued from it')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds each request may take')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: `text` fits the table to the terminal, `wide` never cuts a cell')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: `text` fits the table to the terminal, `wide` never cuts a cell')
            [CompletionResult]::new('--kube-workdir', '--kube-workdir', [CompletionResultType]::ParameterName, 'With --kube: the folder in the outside sleep pod for the client files, where curl runs')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Also read the folders below each folder given with -f')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Also read the folders below each folder given with -f')
            [CompletionResult]::new('--no-negative', '--no-negative', [CompletionResultType]::ParameterName, 'Run only the page''s three checks')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show what `curl -I` prints for each check before the table')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show what `curl -I` prints for each check before the table')
            [CompletionResult]::new('--kube', '--kube', [CompletionResultType]::ParameterName, 'Run curl inside the sleep pods of a cluster, as the page does: the in-mesh sleep in the app''s namespace, the outside one in `default` (the CA and client pair are copied into it)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;demo' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Work folder to keep (certificates, manifests, mounted secrets, mesh CA, logs); default: a temporary folder removed at the end (kept if a step fails)')
            [CompletionResult]::new('--external-port', '--external-port', [CompletionResultType]::ParameterName, 'Local port for the TLS listener (the page''s 9080, behind 8443); 0 picks a free one')
            [CompletionResult]::new('--internal-port', '--internal-port', [CompletionResultType]::ParameterName, 'Local port for the in-mesh listener (the page''s 9081, behind 8080); 0 picks a free one')
            [CompletionResult]::new('--admin-port', '--admin-port', [CompletionResultType]::ParameterName, 'Local port for the proxy''s admin API (the page''s 15000); 0 picks a free one')
            [CompletionResult]::new('--app-port', '--app-port', [CompletionResultType]::ParameterName, 'Local port for the embedded httpbin (the page''s container port 80); 0 picks a free one')
            [CompletionResult]::new('--tls-mode', '--tls-mode', [CompletionResultType]::ParameterName, 'The Sidecar''s tls mode to render [default: MUTUAL, the page''s]; SIMPLE shows the client-certificate checks failing')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: the tables, or one summary (listeners, checks, secrets) as JSON or YAML; the steps go to stderr either way')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: the tables, or one summary (listeners, checks, secrets) as JSON or YAML; the steps go to stderr either way')
            [CompletionResult]::new('--keep', '--keep', [CompletionResultType]::ParameterName, 'Leave the proxy and httpbin running and print commands to try; Ctrl-C stops them')
            [CompletionResult]::new('--no-negative', '--no-negative', [CompletionResultType]::ParameterName, 'Run only the page''s three checks')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show what `curl -I` prints for each check')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show what `curl -I` prints for each check')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;proxy' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable')
            [CompletionResult]::new('--workload', '--workload', [CompletionResultType]::ParameterName, 'The workload''s pod labels, when more than one Deployment could be meant (e.g. app=httpbin,version=v1)')
            [CompletionResult]::new('--bind', '--bind', [CompletionResultType]::ParameterName, 'Address the listeners bind to')
            [CompletionResult]::new('--port-map', '--port-map', [CompletionResultType]::ParameterName, 'Bind a workload port elsewhere: PORT=LOCAL (LOCAL 0 picks a free port); repeatable')
            [CompletionResult]::new('--endpoint-override', '--endpoint-override', [CompletionResultType]::ParameterName, 'Send traffic for an app port elsewhere: PORT=HOST:PORT or PORT=unix:///path; repeatable')
            [CompletionResult]::new('--admin', '--admin', [CompletionResultType]::ParameterName, 'Address of the Envoy-compatible admin API')
            [CompletionResult]::new('--root', '--root', [CompletionResultType]::ParameterName, 'Resolve the Sidecar''s pod paths under DIR instead of mounting the Secrets from the input')
            [CompletionResult]::new('--state-dir', '--state-dir', [CompletionResultType]::ParameterName, 'Where the Secrets are mounted as the kubelet would (default: a temporary folder)')
            [CompletionResult]::new('--mesh-dir', '--mesh-dir', [CompletionResultType]::ParameterName, 'The local mesh CA folder (ROOTCA and workload identities), shared with `meshtls verify`')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'Worker threads (Envoy''s --concurrency)')
            [CompletionResult]::new('--drain-timeout', '--drain-timeout', [CompletionResultType]::ParameterName, 'How long requests in flight may take to finish on SIGTERM/SIGINT (e.g. 5s, 500ms)')
            [CompletionResult]::new('--access-log', '--access-log', [CompletionResultType]::ParameterName, 'Where access-log lines go: stdout, off, or a file path')
            [CompletionResult]::new('--idle-timeout', '--idle-timeout', [CompletionResultType]::ParameterName, 'Close a downstream connection (HTTP/1.1 or h2) that has carried no request for this long (Envoy''s HCM idle_timeout)')
            [CompletionResult]::new('--max-connections', '--max-connections', [CompletionResultType]::ParameterName, 'Most downstream connections open at once; past it new ones are closed, as Envoy''s overload manager does (default: half the open-files limit)')
            [CompletionResult]::new('--max-app-connections', '--max-app-connections', [CompletionResultType]::ParameterName, 'Most connections to the app each worker opens per port; requests beyond wait up to the connect timeout, then get Envoy''s 503 overflow (default: half the open-files limit, shared by the workers)')
            [CompletionResult]::new('--response-timeout', '--response-timeout', [CompletionResultType]::ParameterName, 'How long the app may take to send its response headers; past it the client gets Envoy''s 504 `upstream request timeout` (Envoy''s route timeout; default: none, as Istio)')
            [CompletionResult]::new('--http1-engine', '--http1-engine', [CompletionResultType]::ParameterName, 'HTTP/1.1 engine: `lean` (meshtls'' own loop for plain requests, hyper for the rest) or `hyper` (hyper for every request)')
            [CompletionResult]::new('--h2-engine', '--h2-engine', [CompletionResultType]::ParameterName, 'h2 engine, for clients that choose h2 over TLS: `lean` (meshtls'' own h2 server) or `hyper`')
            [CompletionResult]::new('--app-listen', '--app-listen', [CompletionResultType]::ParameterName, 'With --app: the address httpbin listens on (default: a free loopback port)')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Also read the folders below each folder given with -f')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Also read the folders below each folder given with -f')
            [CompletionResult]::new('--enable-tls-on-sidecar-ingress', '--enable-tls-on-sidecar-ingress', [CompletionResultType]::ParameterName, 'Act as if istiod had ENABLE_TLS_ON_SIDECAR_INGRESS=true (normally read from the IstioOperator in the input)')
            [CompletionResult]::new('--app', '--app', [CompletionResultType]::ParameterName, 'Also run the embedded httpbin in this process and send every listener to it')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;httpbin' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Address to listen on')
            [CompletionResult]::new('--tcp-echo', '--tcp-echo', [CompletionResultType]::ParameterName, 'Also run a TCP echo here (the app behind a TCP or TLS port)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;apply' {
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for namespaced objects that set none [default: the context''s namespace, else default]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for namespaced objects that set none [default: the context''s namespace, else default]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, '`server`: the API server checks everything and stores nothing; `none`: apply')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: kubectl''s lines, or the applied objects'' names as JSON or YAML')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: kubectl''s lines, or the applied objects'' names as JSON or YAML')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Also read the folders below each folder given with -f')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Also read the folders below each folder given with -f')
            [CompletionResult]::new('--force-conflicts', '--force-conflicts', [CompletionResultType]::ParameterName, 'Take over fields that another field manager owns')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;check' {
            [CompletionResult]::new('-i', '-i', [CompletionResultType]::ParameterName, 'Namespace where Istio''s control plane (istiod) runs')
            [CompletionResult]::new('--istioNamespace', '--istioNamespace', [CompletionResultType]::ParameterName, 'Namespace where Istio''s control plane (istiod) runs')
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'Read the task''s parameters from a YAML file, as `render --values`')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the app [default: test]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the app [default: test]')
            [CompletionResult]::new('--app', '--app', [CompletionResultType]::ParameterName, 'App name: ServiceAccount, Service, Deployment and the `app` label [default: httpbin]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: the ✔/✘ lines, or the checks as JSON or YAML')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: the ✔/✘ lines, or the checks as JSON or YAML')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;cleanup' {
            [CompletionResult]::new('--values', '--values', [CompletionResultType]::ParameterName, 'Read the task''s parameters from a YAML file, as `render --values`')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace of the app [default: test]')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace of the app [default: test]')
            [CompletionResult]::new('--app', '--app', [CompletionResultType]::ParameterName, 'App name: ServiceAccount, Service, Deployment and the `app` label [default: httpbin]')
            [CompletionResult]::new('--sidecar-name', '--sidecar-name', [CompletionResultType]::ParameterName, 'Name of the Sidecar [default: ingress-sidecar]')
            [CompletionResult]::new('--peer-auth-name', '--peer-auth-name', [CompletionResultType]::ParameterName, 'Name of the workload PeerAuthentication [default: disable-peer-auth-for-external-mtls-port]')
            [CompletionResult]::new('--secret', '--secret', [CompletionResultType]::ParameterName, 'Name of the server''s tls Secret [default: httpbin-mtls-termination]')
            [CompletionResult]::new('--ca-secret', '--ca-secret', [CompletionResultType]::ParameterName, 'Name of the CA''s Secret [default: httpbin-mtls-termination-cacert]')
            [CompletionResult]::new('--sleep-namespace', '--sleep-namespace', [CompletionResultType]::ParameterName, 'Namespaces for the sleep client (repeat) [default: default and --namespace]')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format: one line per object, or the objects and what happened as JSON or YAML')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format: one line per object, or the objects and what happened as JSON or YAML')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use [default: its current-context]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Say what would be deleted; delete nothing (the server checks each delete)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;version' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--short', '--short', [CompletionResultType]::ParameterName, 'Print the version number only')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'meshtls;help' {
            [CompletionResult]::new('certgen', 'certgen', [CompletionResultType]::ParameterValue, 'Make the task''s CA, server and client certificates (X.509 v3, SANs, keys 0600)')
            [CompletionResult]::new('cert', 'cert', [CompletionResultType]::ParameterValue, 'Work with certificate files')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create Kubernetes objects as YAML, byte-identical to `kubectl create … --dry-run=client -o yaml`')
            [CompletionResult]::new('render', 'render', [CompletionResultType]::ParameterValue, 'Print the task''s manifests (Istio install, namespace, policies, secrets, app, Sidecar, sleep)')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check Sidecar and PeerAuthentication YAML as Istio and its CRD schemas do')
            [CompletionResult]::new('analyze', 'analyze', [CompletionResultType]::ParameterValue, 'Find the misconfigurations Istio silently ignores for sidecar TLS termination (istioctl analyze style)')
            [CompletionResult]::new('completion', 'completion', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('proxy-config', 'proxy-config', [CompletionResultType]::ParameterValue, 'Inspect a proxy''s configuration, as `istioctl proxy-config`')
            [CompletionResult]::new('describe', 'describe', [CompletionResultType]::ParameterValue, 'Show what each ingress port of a workload gets from outside and inside the mesh, and why (as `istioctl x describe pod`, for the sidecar''s ingress)')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Run the page''s checks (and negative ones) against a running sidecar, curl style')
            [CompletionResult]::new('demo', 'demo', [CompletionResultType]::ParameterValue, 'Run the whole task on this machine: certificates, manifests, sidecar, checks, secrets')
            [CompletionResult]::new('proxy', 'proxy', [CompletionResultType]::ParameterValue, 'Run one workload''s sidecar locally, configured from the task''s YAML (Sidecar, PeerAuthentication, Deployment annotations, Secrets), as Istio''s Envoy would serve it')
            [CompletionResult]::new('httpbin', 'httpbin', [CompletionResultType]::ParameterValue, 'Run the embedded httpbin (the task''s app)')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Server-side apply manifests to the cluster (field manager `meshtls`), as kubectl apply --server-side')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check the cluster''s set-up for the task: istiod''s flag, namespace injection, the app''s sidecar volumes')
            [CompletionResult]::new('cleanup', 'cleanup', [CompletionResultType]::ParameterValue, 'Delete what the task created, as the page''s clean-up section; only objects meshtls applied')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the version, the git commit and the TLS stack (rustls, aws-lc) of this build')
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
        'meshtls;help;render' {
            break
        }
        'meshtls;help;validate' {
            break
        }
        'meshtls;help;analyze' {
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
        'meshtls;help;describe' {
            break
        }
        'meshtls;help;verify' {
            break
        }
        'meshtls;help;demo' {
            break
        }
        'meshtls;help;proxy' {
            break
        }
        'meshtls;help;httpbin' {
            break
        }
        'meshtls;help;apply' {
            break
        }
        'meshtls;help;check' {
            break
        }
        'meshtls;help;cleanup' {
            break
        }
        'meshtls;help;version' {
            break
        }
        'meshtls;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
