# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_meshtls_global_optspecs
    string join \n h/help V/version
end

function __fish_meshtls_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_meshtls_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_meshtls_using_subcommand
    set -l cmd (__fish_meshtls_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c meshtls -n "__fish_meshtls_needs_command" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_needs_command" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "certgen" -d 'Make the task\'s CA, server and client certificates (X.509 v3, SANs, keys 0600)'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "cert" -d 'Work with certificate files'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "create" -d 'Create Kubernetes objects as YAML, byte-identical to `kubectl create … --dry-run=client -o yaml`'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "render" -d 'Print the task\'s manifests (Istio install, namespace, policies, secrets, app, Sidecar, sleep)'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "validate" -d 'Check Sidecar and PeerAuthentication YAML as Istio and its CRD schemas do'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "analyze" -d 'Find the misconfigurations Istio silently ignores for sidecar TLS termination (istioctl analyze style)'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "completion" -d 'Print a shell completion script'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "proxy-config" -d 'Inspect a proxy\'s configuration, as `istioctl proxy-config`'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "pc" -d 'Inspect a proxy\'s configuration, as `istioctl proxy-config`'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "describe" -d 'Show what each ingress port of a workload gets from outside and inside the mesh, and why (as `istioctl x describe pod`, for the sidecar\'s ingress)'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "verify" -d 'Run the page\'s checks (and negative ones) against a running sidecar, curl style'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "demo" -d 'Run the whole task on this machine: certificates, manifests, sidecar, checks, secrets'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "proxy" -d 'Run one workload\'s sidecar locally, configured from the task\'s YAML (Sidecar, PeerAuthentication, Deployment annotations, Secrets), as Istio\'s Envoy would serve it'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "httpbin" -d 'Run the embedded httpbin (the task\'s app)'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "apply" -d 'Server-side apply manifests to the cluster (field manager `meshtls`), as kubectl apply --server-side'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "check" -d 'Check the cluster\'s set-up for the task: istiod\'s flag, namespace injection, the app\'s sidecar volumes'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "cleanup" -d 'Delete what the task created, as the page\'s clean-up section; only objects meshtls applied'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "version" -d 'Print the version, the git commit and the TLS stack (rustls, aws-lc) of this build'
complete -c meshtls -n "__fish_meshtls_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshtls -n "__fish_meshtls_using_subcommand certgen" -l out -d 'Folder for the certificates and keys (created if missing)' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand certgen" -l ca-subject -d 'The CA\'s subject, openssl style' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand certgen" -l server-host -d 'A DNS name for the server certificate; repeat for more. The first is also the CN. Default: <service>.<namespace>.svc.<cluster-domain> and its shorter forms' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand certgen" -l client-host -d 'The client certificate\'s DNS name (and CN). Default: client.<namespace>.svc.<cluster-domain>' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand certgen" -s n -l namespace -d 'Namespace used to derive host names' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand certgen" -l service -d 'Service name used to derive the server\'s host names' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand certgen" -l cluster-domain -d 'Cluster DNS domain used to derive host names' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand certgen" -l key-type -d 'Key algorithm for all three keys' -r -f -a "rsa2048\t''
rsa3072\t''
rsa4096\t''
ecdsa-p256\t''
ecdsa-p384\t''
ed25519\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand certgen" -l days -d 'Validity in days, from now' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand certgen" -s o -l output -d 'Output format: `text` fits the table to the terminal, `wide` never cuts a cell' -r -f -a "text\t''
wide\t''
json\t''
yaml\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand certgen" -l csr -d 'Also write the leaves\' certificate signing requests (*.csr), as the page\'s openssl does'
complete -c meshtls -n "__fish_meshtls_using_subcommand certgen" -l force -d 'Replace existing files, including the CA'
complete -c meshtls -n "__fish_meshtls_using_subcommand certgen" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand certgen" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand cert; and not __fish_seen_subcommand_from inspect help" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand cert; and not __fish_seen_subcommand_from inspect help" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand cert; and not __fish_seen_subcommand_from inspect help" -f -a "inspect" -d 'Show each certificate in PEM files: subject, SANs, serial, validity, key, CA flag, version'
complete -c meshtls -n "__fish_meshtls_using_subcommand cert; and not __fish_seen_subcommand_from inspect help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshtls -n "__fish_meshtls_using_subcommand cert; and __fish_seen_subcommand_from inspect" -l ca -d 'Check each certificate\'s chain against this CA bundle and say why it fails' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand cert; and __fish_seen_subcommand_from inspect" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand cert; and __fish_seen_subcommand_from inspect" -l now -d 'Evaluate validity at this instant (RFC 3339) instead of now' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand cert; and __fish_seen_subcommand_from inspect" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand cert; and __fish_seen_subcommand_from inspect" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand cert; and __fish_seen_subcommand_from help" -f -a "inspect" -d 'Show each certificate in PEM files: subject, SANs, serial, validity, key, CA flag, version'
complete -c meshtls -n "__fish_meshtls_using_subcommand cert; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshtls -n "__fish_meshtls_using_subcommand create; and not __fish_seen_subcommand_from secret help" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand create; and not __fish_seen_subcommand_from secret help" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand create; and not __fish_seen_subcommand_from secret help" -f -a "secret" -d 'Create a Secret'
complete -c meshtls -n "__fish_meshtls_using_subcommand create; and not __fish_seen_subcommand_from secret help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshtls -n "__fish_meshtls_using_subcommand create; and __fish_seen_subcommand_from secret" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand create; and __fish_seen_subcommand_from secret" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand create; and __fish_seen_subcommand_from secret" -f -a "generic" -d 'A generic (Opaque) secret from files, folders or literal values'
complete -c meshtls -n "__fish_meshtls_using_subcommand create; and __fish_seen_subcommand_from secret" -f -a "tls" -d 'A kubernetes.io/tls secret from a certificate and its key'
complete -c meshtls -n "__fish_meshtls_using_subcommand create; and __fish_seen_subcommand_from secret" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshtls -n "__fish_meshtls_using_subcommand create; and __fish_seen_subcommand_from help" -f -a "secret" -d 'Create a Secret'
complete -c meshtls -n "__fish_meshtls_using_subcommand create; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l out-dir -d 'Write one file per resource into DIR (created if missing) instead of stdout' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l values -d 'Read parameters from a YAML file (camelCase keys, e.g. `tlsPort: 9443`); flags override it' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l certs -d 'Folder with example.com.crt and <app>.<namespace>.svc.cluster.local.{crt,key}, for `secrets` [default: .; a bare `render` leaves the Secrets out when the folder has none of them]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -s o -l output -d 'Output format: `yaml`, the documents `kubectl apply -f` takes, or `json`, one List object as `kubectl get -o json` prints [default: yaml]' -r -f -a "yaml\t''
json\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -s n -l namespace -d 'Namespace of the app [default: test]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l app -d 'App name: ServiceAccount, Service, Deployment and the `app` label [default: httpbin]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l sidecar-name -d 'Name of the Sidecar [default: ingress-sidecar]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l peer-auth-name -d 'Name of the workload PeerAuthentication [default: disable-peer-auth-for-external-mtls-port]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l secret -d 'Name of the server\'s tls Secret [default: httpbin-mtls-termination]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l ca-secret -d 'Name of the CA\'s Secret [default: httpbin-mtls-termination-cacert]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l sleep-namespace -d 'Namespaces for the sleep client (repeat) [default: default and --namespace]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l app-version -d 'The app\'s `version` label [default: v1]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l image -d 'The app\'s container image [default: docker.io/kennethreitz/httpbin]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l app-port -d 'The app container\'s port, the listeners\' defaultEndpoint [default: 80]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l tls-port -d 'Workload port of the TLS listener (Service targetPort, portLevelMtls key) [default: 9080]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l http-port -d 'Workload port of the plain HTTP listener [default: 9081]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l service-tls-port -d 'Service port in front of the TLS port [default: 8443]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l service-http-port -d 'Service port in front of the HTTP port [default: 8080]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l tls-mode -d 'TLS mode of the Sidecar\'s TLS listener [default: MUTUAL]' -r -f -a "SIMPLE\t''
MUTUAL\t''
OPTIONAL_MUTUAL\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l protocol -d 'Declared protocol of the TLS listener [default: HTTPS]. GRPC, HTTP2 and TCP get no tls block (Istio allows one only on HTTPS and TLS ports), so they serve what their PeerAuthentication mode says' -r -f -a "HTTPS\t''
TLS\t''
GRPC\t''
HTTP2\t''
TCP\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l min-tls-version -d 'minProtocolVersion of the TLS listener' -r -f -a "TLS_AUTO\t''
TLSV1_0\t''
TLSV1_1\t''
TLSV1_2\t''
TLSV1_3\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l max-tls-version -d 'maxProtocolVersion of the TLS listener' -r -f -a "TLS_AUTO\t''
TLSV1_0\t''
TLSV1_1\t''
TLSV1_2\t''
TLSV1_3\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l cipher-suites -d 'cipherSuites of the TLS listener (OpenSSL names, comma-separated)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l cert-mount -d 'Where istio-proxy mounts the server Secret [default: /etc/istio/tls-certs/]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l ca-mount -d 'Where istio-proxy mounts the CA Secret [default: /etc/istio/tls-ca-certs/]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l istio-api-version -d 'apiVersion of the Istio resources [default: v1]' -r -f -a "v1\t''
v1beta1\t''
v1alpha3\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -s c -l kubeconfig -d 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l context -d 'The kubeconfig context to use [default: its current-context]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l print-command -d 'Print the equivalent `istioctl install --set …` command instead of the manifests'
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l validate -d 'Check the Istio resources first (as `meshtls validate`); errors stop the render'
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l apply -d 'Server-side apply the objects to the cluster instead of printing them'
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -l force-conflicts -d 'With --apply: take over fields that another field manager owns'
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshtls -n "__fish_meshtls_using_subcommand render" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand validate" -s f -l filename -d 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand validate" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand validate" -s n -l namespace -d 'Namespace reported for objects that set none, as kubectl would apply them' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand validate" -s R -l recursive -d 'Also read the folders below each folder given with -f'
complete -c meshtls -n "__fish_meshtls_using_subcommand validate" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand validate" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -s f -l filename -d 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -l certs -d 'Folder with the task\'s certificate files (example.com.crt, <host>.crt/.key) to check too' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -l istio-install -d 'The Istio install config: an IstioOperator, istiod Helm values, or `istioctl install --set …` text' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -s o -l output -d 'Output format' -r -f -a "text\t'istioctl\'s lines: `<Level> [<CODE>] (<Kind> <ns>/<name> <file>:<line>) <message>` (istioctl calls it `log`)'
json\t''
yaml\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -l failure-threshold -d 'The lowest level that makes the exit status 79' -r -f -a "Error\t''
Warning\t''
Info\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -l output-threshold -d 'The lowest level that is printed (the exit status still counts every finding)' -r -f -a "Error\t''
Warning\t''
Info\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -l suppress -d 'Silence a known finding: CODE=Kind/namespace/name (`*` matches anything); repeatable' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -s n -l namespace -d 'Namespace of objects that set none (as `kubectl apply -n`), named in the summary; the namespace read from the cluster [default: the context\'s namespace with the cluster, else default]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -s i -l istio-namespace -d 'Where istiod runs, for its ENABLE_TLS_ON_SIDECAR_INGRESS and the root namespace\'s policies' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -s c -l kubeconfig -d 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -l context -d 'The kubeconfig context to use [default: its current-context]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -l now -d 'Judge certificate validity at this instant (RFC 3339) instead of now' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -l explain -d 'Print the documentation of an analyzer code (cause and fix), as `rustc --explain`, and exit' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -s R -l recursive -d 'Also read the folders below each folder given with -f'
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -l kube -d 'Read the namespace\'s objects from the cluster too (the default when no file is given); files given with -f are laid over them, as `istioctl analyze` does'
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshtls -n "__fish_meshtls_using_subcommand analyze" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand completion" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand completion" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and not __fish_seen_subcommand_from secret secrets s help" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and not __fish_seen_subcommand_from secret secrets s help" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and not __fish_seen_subcommand_from secret secrets s help" -f -a "secret" -d 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and not __fish_seen_subcommand_from secret secrets s help" -f -a "secrets" -d 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and not __fish_seen_subcommand_from secret secrets s help" -f -a "s" -d 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and not __fish_seen_subcommand_from secret secrets s help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secret" -s f -l file -d 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secret" -l admin -d 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secret" -l proxy-admin-port -d 'The proxy\'s admin port inside the pod' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secret" -s n -l namespace -d 'Namespace of a pod given without `.NAMESPACE` [default: the context\'s namespace, else default]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secret" -s o -l output -d 'Output format' -r -f -a "text\t'istioctl\'s table, byte for byte (istioctl calls it `short`)'
wide\t'The table plus SUBJECT, SANS, ISSUER and DAYS LEFT'
json\t'The SecretsConfigDump, camelCase, private keys redacted'
yaml\t'The SecretsConfigDump as YAML, keys sorted'"
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secret" -l warn-within -d 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secret" -l warn-days -d 'With --check: fail certificates that expire within this many days (as --warn-within Nd)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secret" -l now -d 'Evaluate validity at this instant (RFC 3339) instead of now' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secret" -s c -l kubeconfig -d 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secret" -l context -d 'The kubeconfig context to use [default: its current-context]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secret" -l all-certs -d 'One row per certificate in a chain or bundle (istioctl shows the first only)'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secret" -l check -d 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secret" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secret" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secrets" -s f -l file -d 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secrets" -l admin -d 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secrets" -l proxy-admin-port -d 'The proxy\'s admin port inside the pod' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secrets" -s n -l namespace -d 'Namespace of a pod given without `.NAMESPACE` [default: the context\'s namespace, else default]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secrets" -s o -l output -d 'Output format' -r -f -a "text\t'istioctl\'s table, byte for byte (istioctl calls it `short`)'
wide\t'The table plus SUBJECT, SANS, ISSUER and DAYS LEFT'
json\t'The SecretsConfigDump, camelCase, private keys redacted'
yaml\t'The SecretsConfigDump as YAML, keys sorted'"
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secrets" -l warn-within -d 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secrets" -l warn-days -d 'With --check: fail certificates that expire within this many days (as --warn-within Nd)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secrets" -l now -d 'Evaluate validity at this instant (RFC 3339) instead of now' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secrets" -s c -l kubeconfig -d 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secrets" -l context -d 'The kubeconfig context to use [default: its current-context]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secrets" -l all-certs -d 'One row per certificate in a chain or bundle (istioctl shows the first only)'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secrets" -l check -d 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secrets" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from secrets" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from s" -s f -l file -d 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from s" -l admin -d 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from s" -l proxy-admin-port -d 'The proxy\'s admin port inside the pod' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from s" -s n -l namespace -d 'Namespace of a pod given without `.NAMESPACE` [default: the context\'s namespace, else default]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from s" -s o -l output -d 'Output format' -r -f -a "text\t'istioctl\'s table, byte for byte (istioctl calls it `short`)'
wide\t'The table plus SUBJECT, SANS, ISSUER and DAYS LEFT'
json\t'The SecretsConfigDump, camelCase, private keys redacted'
yaml\t'The SecretsConfigDump as YAML, keys sorted'"
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from s" -l warn-within -d 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from s" -l warn-days -d 'With --check: fail certificates that expire within this many days (as --warn-within Nd)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from s" -l now -d 'Evaluate validity at this instant (RFC 3339) instead of now' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from s" -s c -l kubeconfig -d 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from s" -l context -d 'The kubeconfig context to use [default: its current-context]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from s" -l all-certs -d 'One row per certificate in a chain or bundle (istioctl shows the first only)'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from s" -l check -d 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from s" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from s" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from help" -f -a "secret" -d 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy-config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and not __fish_seen_subcommand_from secret secrets s help" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and not __fish_seen_subcommand_from secret secrets s help" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and not __fish_seen_subcommand_from secret secrets s help" -f -a "secret" -d 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and not __fish_seen_subcommand_from secret secrets s help" -f -a "secrets" -d 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and not __fish_seen_subcommand_from secret secrets s help" -f -a "s" -d 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and not __fish_seen_subcommand_from secret secrets s help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secret" -s f -l file -d 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secret" -l admin -d 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secret" -l proxy-admin-port -d 'The proxy\'s admin port inside the pod' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secret" -s n -l namespace -d 'Namespace of a pod given without `.NAMESPACE` [default: the context\'s namespace, else default]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secret" -s o -l output -d 'Output format' -r -f -a "text\t'istioctl\'s table, byte for byte (istioctl calls it `short`)'
wide\t'The table plus SUBJECT, SANS, ISSUER and DAYS LEFT'
json\t'The SecretsConfigDump, camelCase, private keys redacted'
yaml\t'The SecretsConfigDump as YAML, keys sorted'"
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secret" -l warn-within -d 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secret" -l warn-days -d 'With --check: fail certificates that expire within this many days (as --warn-within Nd)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secret" -l now -d 'Evaluate validity at this instant (RFC 3339) instead of now' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secret" -s c -l kubeconfig -d 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secret" -l context -d 'The kubeconfig context to use [default: its current-context]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secret" -l all-certs -d 'One row per certificate in a chain or bundle (istioctl shows the first only)'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secret" -l check -d 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secret" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secret" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secrets" -s f -l file -d 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secrets" -l admin -d 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secrets" -l proxy-admin-port -d 'The proxy\'s admin port inside the pod' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secrets" -s n -l namespace -d 'Namespace of a pod given without `.NAMESPACE` [default: the context\'s namespace, else default]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secrets" -s o -l output -d 'Output format' -r -f -a "text\t'istioctl\'s table, byte for byte (istioctl calls it `short`)'
wide\t'The table plus SUBJECT, SANS, ISSUER and DAYS LEFT'
json\t'The SecretsConfigDump, camelCase, private keys redacted'
yaml\t'The SecretsConfigDump as YAML, keys sorted'"
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secrets" -l warn-within -d 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secrets" -l warn-days -d 'With --check: fail certificates that expire within this many days (as --warn-within Nd)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secrets" -l now -d 'Evaluate validity at this instant (RFC 3339) instead of now' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secrets" -s c -l kubeconfig -d 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secrets" -l context -d 'The kubeconfig context to use [default: its current-context]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secrets" -l all-certs -d 'One row per certificate in a chain or bundle (istioctl shows the first only)'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secrets" -l check -d 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secrets" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from secrets" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from s" -s f -l file -d 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from s" -l admin -d 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from s" -l proxy-admin-port -d 'The proxy\'s admin port inside the pod' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from s" -s n -l namespace -d 'Namespace of a pod given without `.NAMESPACE` [default: the context\'s namespace, else default]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from s" -s o -l output -d 'Output format' -r -f -a "text\t'istioctl\'s table, byte for byte (istioctl calls it `short`)'
wide\t'The table plus SUBJECT, SANS, ISSUER and DAYS LEFT'
json\t'The SecretsConfigDump, camelCase, private keys redacted'
yaml\t'The SecretsConfigDump as YAML, keys sorted'"
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from s" -l warn-within -d 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from s" -l warn-days -d 'With --check: fail certificates that expire within this many days (as --warn-within Nd)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from s" -l now -d 'Evaluate validity at this instant (RFC 3339) instead of now' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from s" -s c -l kubeconfig -d 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from s" -l context -d 'The kubeconfig context to use [default: its current-context]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from s" -l all-certs -d 'One row per certificate in a chain or bundle (istioctl shows the first only)'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from s" -l check -d 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from s" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from s" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from help" -f -a "secret" -d 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
complete -c meshtls -n "__fish_meshtls_using_subcommand pc; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshtls -n "__fish_meshtls_using_subcommand describe" -s f -l filename -d 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand describe" -l workload -d 'The workload\'s pod labels, when more than one Deployment could be meant (e.g. app=httpbin,version=v1)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand describe" -s n -l namespace -d 'Namespace of objects that set none (as `kubectl apply -n`); with `pod`, the pod\'s namespace [default: the context\'s namespace with a pod, else default]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand describe" -s i -l istio-namespace -d 'Where istiod runs (with `pod`: its ENABLE_TLS_ON_SIDECAR_INGRESS and the root namespace\'s policies)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand describe" -s c -l kubeconfig -d 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand describe" -l context -d 'The kubeconfig context to use [default: its current-context]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand describe" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand describe" -l now -d 'Count certificate days left from this instant (RFC 3339) instead of now' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand describe" -s R -l recursive -d 'Also read the folders below each folder given with -f'
complete -c meshtls -n "__fish_meshtls_using_subcommand describe" -l enable-tls-on-sidecar-ingress -d 'Act as if istiod had ENABLE_TLS_ON_SIDECAR_INGRESS=true (normally read from the IstioOperator in the input)'
complete -c meshtls -n "__fish_meshtls_using_subcommand describe" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand describe" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -s f -l filename -d 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l workload -d 'The workload\'s pod labels, when the manifests hold more than one (e.g. app=httpbin,version=v1)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -s n -l namespace -d 'Namespace of the app [default: test]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l service -d 'The app\'s Service name [default: httpbin]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l sidecar-name -d 'The Sidecar\'s name, as in x-envoy-decorator-operation [default: ingress-sidecar]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l service-account -d 'The app\'s service account, the server\'s SPIFFE identity [default: the service name]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l tls-port -d 'Workload port of the TLS listener [default: 9080]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l http-port -d 'Workload port of the in-mesh HTTP listener [default: 9081]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l service-tls-port -d 'Service port in front of the TLS port [default: 8443]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l service-http-port -d 'Service port in front of the HTTP port [default: 8080]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l cluster-domain -d 'Cluster DNS domain of the service FQDN' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l target -d 'Where to connect for a logical port, like curl\'s --resolve (the FQDN stays SNI and Host): PORT=HOST:PORT, PORT being a service (8443, 8080) or workload (9080, 9081) port; repeat. Default: 127.0.0.1 at the workload port, where `meshtls proxy` listens' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l certs -d 'Folder with the page\'s files: example.com.{crt,key}, client.<ns>.svc.<domain>.{crt,key}' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l cacert -d 'CA the server certificate must chain to (curl --cacert) [default: DIR/example.com.crt]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l cert -d 'Client certificate (curl --cert) [default: DIR/client.<ns>.svc.<domain>.crt]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l key -d 'Client key (curl --key) [default: DIR/client.<ns>.svc.<domain>.key]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l ca-key -d 'The CA\'s key, to make an expired client certificate [default: DIR/example.com.key]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l mesh-dir -d 'The local mesh CA folder `meshtls proxy` uses (default: $HOME/.meshtls/mesh); the in-mesh client\'s identity is issued from it' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l timeout -d 'Seconds each request may take' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -s o -l output -d 'Output format: `text` fits the table to the terminal, `wide` never cuts a cell' -r -f -a "text\t''
wide\t''
json\t''
yaml\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l kube-workdir -d 'With --kube: the folder in the outside sleep pod for the client files, where curl runs' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -s c -l kubeconfig -d 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l context -d 'The kubeconfig context to use [default: its current-context]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -s R -l recursive -d 'Also read the folders below each folder given with -f'
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l no-negative -d 'Run only the page\'s three checks'
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -s v -l verbose -d 'Show what `curl -I` prints for each check before the table'
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -l kube -d 'Run curl inside the sleep pods of a cluster, as the page does: the in-mesh sleep in the app\'s namespace, the outside one in `default` (the CA and client pair are copied into it)'
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand verify" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand demo" -l dir -d 'Work folder to keep (certificates, manifests, mounted secrets, mesh CA, logs); default: a temporary folder removed at the end (kept if a step fails)' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand demo" -l external-port -d 'Local port for the TLS listener (the page\'s 9080, behind 8443); 0 picks a free one' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand demo" -l internal-port -d 'Local port for the in-mesh listener (the page\'s 9081, behind 8080); 0 picks a free one' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand demo" -l admin-port -d 'Local port for the proxy\'s admin API (the page\'s 15000); 0 picks a free one' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand demo" -l app-port -d 'Local port for the embedded httpbin (the page\'s container port 80); 0 picks a free one' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand demo" -l tls-mode -d 'The Sidecar\'s tls mode to render [default: MUTUAL, the page\'s]; SIMPLE shows the client-certificate checks failing' -r -f -a "SIMPLE\t''
MUTUAL\t''
OPTIONAL_MUTUAL\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand demo" -s o -l output -d 'Output format: the tables, or one summary (listeners, checks, secrets) as JSON or YAML; the steps go to stderr either way' -r -f -a "text\t''
json\t''
yaml\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand demo" -l keep -d 'Leave the proxy and httpbin running and print commands to try; Ctrl-C stops them'
complete -c meshtls -n "__fish_meshtls_using_subcommand demo" -l no-negative -d 'Run only the page\'s three checks'
complete -c meshtls -n "__fish_meshtls_using_subcommand demo" -s v -l verbose -d 'Show what `curl -I` prints for each check'
complete -c meshtls -n "__fish_meshtls_using_subcommand demo" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand demo" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -s f -l filename -d 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l workload -d 'The workload\'s pod labels, when more than one Deployment could be meant (e.g. app=httpbin,version=v1)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l bind -d 'Address the listeners bind to' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l port-map -d 'Bind a workload port elsewhere: PORT=LOCAL (LOCAL 0 picks a free port); repeatable' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l endpoint-override -d 'Send traffic for an app port elsewhere: PORT=HOST:PORT or PORT=unix:///path; repeatable' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l admin -d 'Address of the Envoy-compatible admin API' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l root -d 'Resolve the Sidecar\'s pod paths under DIR instead of mounting the Secrets from the input' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l state-dir -d 'Where the Secrets are mounted as the kubelet would (default: a temporary folder)' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l mesh-dir -d 'The local mesh CA folder (ROOTCA and workload identities), shared with `meshtls verify`' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l concurrency -d 'Worker threads (Envoy\'s --concurrency)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l drain-timeout -d 'How long requests in flight may take to finish on SIGTERM/SIGINT (e.g. 5s, 500ms)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l access-log -d 'Where access-log lines go: stdout, off, or a file path' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l idle-timeout -d 'Close a downstream connection (HTTP/1.1 or h2) that has carried no request for this long (Envoy\'s HCM idle_timeout)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l max-connections -d 'Most downstream connections open at once; past it new ones are closed, as Envoy\'s overload manager does (default: half the open-files limit)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l max-app-connections -d 'Most connections to the app each worker opens per port; requests beyond wait up to the connect timeout, then get Envoy\'s 503 overflow (default: half the open-files limit, shared by the workers)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l response-timeout -d 'How long the app may take to send its response headers; past it the client gets Envoy\'s 504 `upstream request timeout` (Envoy\'s route timeout; default: none, as Istio)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l http1-engine -d 'HTTP/1.1 engine: `lean` (meshtls\' own loop for plain requests, hyper for the rest) or `hyper` (hyper for every request)' -r -f -a "lean\t'meshtls\' own forwarding loop for plain requests (Content-Length or no body, origin-form); anything else on the connection is handed to hyper'
hyper\t'hyper for every request'"
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l h2-engine -d 'h2 engine, for clients that choose h2 over TLS: `lean` (meshtls\' own h2 server) or `hyper`' -r -f -a "lean\t'meshtls\' own h2 server (`proxy::h2`)'
hyper\t'hyper\'s h2 server'"
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l app-listen -d 'With --app: the address httpbin listens on (default: a free loopback port)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -s R -l recursive -d 'Also read the folders below each folder given with -f'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l enable-tls-on-sidecar-ingress -d 'Act as if istiod had ENABLE_TLS_ON_SIDECAR_INGRESS=true (normally read from the IstioOperator in the input)'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -l app -d 'Also run the embedded httpbin in this process and send every listener to it'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c meshtls -n "__fish_meshtls_using_subcommand proxy" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand httpbin" -l listen -d 'Address to listen on' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand httpbin" -l tcp-echo -d 'Also run a TCP echo here (the app behind a TCP or TLS port)' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand httpbin" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand httpbin" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand apply" -s f -l filename -d 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand apply" -s n -l namespace -d 'Namespace for namespaced objects that set none [default: the context\'s namespace, else default]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand apply" -l dry-run -d '`server`: the API server checks everything and stores nothing; `none`: apply' -r -f -a "none\t''
client\t''
server\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand apply" -s o -l output -d 'Output format: kubectl\'s lines, or the applied objects\' names as JSON or YAML' -r -f -a "text\t''
json\t''
yaml\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand apply" -s c -l kubeconfig -d 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand apply" -l context -d 'The kubeconfig context to use [default: its current-context]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand apply" -s R -l recursive -d 'Also read the folders below each folder given with -f'
complete -c meshtls -n "__fish_meshtls_using_subcommand apply" -l force-conflicts -d 'Take over fields that another field manager owns'
complete -c meshtls -n "__fish_meshtls_using_subcommand apply" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand apply" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand check" -s i -l istioNamespace -d 'Namespace where Istio\'s control plane (istiod) runs' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand check" -l values -d 'Read the task\'s parameters from a YAML file, as `render --values`' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand check" -s n -l namespace -d 'Namespace of the app [default: test]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand check" -l app -d 'App name: ServiceAccount, Service, Deployment and the `app` label [default: httpbin]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand check" -s o -l output -d 'Output format: the ✔/✘ lines, or the checks as JSON or YAML' -r -f -a "text\t''
json\t''
yaml\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand check" -s c -l kubeconfig -d 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand check" -l context -d 'The kubeconfig context to use [default: its current-context]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand check" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand check" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand cleanup" -l values -d 'Read the task\'s parameters from a YAML file, as `render --values`' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand cleanup" -s n -l namespace -d 'Namespace of the app [default: test]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand cleanup" -l app -d 'App name: ServiceAccount, Service, Deployment and the `app` label [default: httpbin]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand cleanup" -l sidecar-name -d 'Name of the Sidecar [default: ingress-sidecar]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand cleanup" -l peer-auth-name -d 'Name of the workload PeerAuthentication [default: disable-peer-auth-for-external-mtls-port]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand cleanup" -l secret -d 'Name of the server\'s tls Secret [default: httpbin-mtls-termination]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand cleanup" -l ca-secret -d 'Name of the CA\'s Secret [default: httpbin-mtls-termination-cacert]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand cleanup" -l sleep-namespace -d 'Namespaces for the sleep client (repeat) [default: default and --namespace]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand cleanup" -s o -l output -d 'Output format: one line per object, or the objects and what happened as JSON or YAML' -r -f -a "text\t''
json\t''
yaml\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand cleanup" -s c -l kubeconfig -d 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]' -r -F
complete -c meshtls -n "__fish_meshtls_using_subcommand cleanup" -l context -d 'The kubeconfig context to use [default: its current-context]' -r
complete -c meshtls -n "__fish_meshtls_using_subcommand cleanup" -l dry-run -d 'Say what would be deleted; delete nothing (the server checks each delete)'
complete -c meshtls -n "__fish_meshtls_using_subcommand cleanup" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand cleanup" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand version" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''
yaml\t''"
complete -c meshtls -n "__fish_meshtls_using_subcommand version" -l short -d 'Print the version number only'
complete -c meshtls -n "__fish_meshtls_using_subcommand version" -s h -l help -d 'Print help'
complete -c meshtls -n "__fish_meshtls_using_subcommand version" -s V -l version -d 'Print version'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "certgen" -d 'Make the task\'s CA, server and client certificates (X.509 v3, SANs, keys 0600)'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "cert" -d 'Work with certificate files'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "create" -d 'Create Kubernetes objects as YAML, byte-identical to `kubectl create … --dry-run=client -o yaml`'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "render" -d 'Print the task\'s manifests (Istio install, namespace, policies, secrets, app, Sidecar, sleep)'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "validate" -d 'Check Sidecar and PeerAuthentication YAML as Istio and its CRD schemas do'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "analyze" -d 'Find the misconfigurations Istio silently ignores for sidecar TLS termination (istioctl analyze style)'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "completion" -d 'Print a shell completion script'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "proxy-config" -d 'Inspect a proxy\'s configuration, as `istioctl proxy-config`'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "describe" -d 'Show what each ingress port of a workload gets from outside and inside the mesh, and why (as `istioctl x describe pod`, for the sidecar\'s ingress)'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "verify" -d 'Run the page\'s checks (and negative ones) against a running sidecar, curl style'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "demo" -d 'Run the whole task on this machine: certificates, manifests, sidecar, checks, secrets'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "proxy" -d 'Run one workload\'s sidecar locally, configured from the task\'s YAML (Sidecar, PeerAuthentication, Deployment annotations, Secrets), as Istio\'s Envoy would serve it'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "httpbin" -d 'Run the embedded httpbin (the task\'s app)'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "apply" -d 'Server-side apply manifests to the cluster (field manager `meshtls`), as kubectl apply --server-side'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "check" -d 'Check the cluster\'s set-up for the task: istiod\'s flag, namespace injection, the app\'s sidecar volumes'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "cleanup" -d 'Delete what the task created, as the page\'s clean-up section; only objects meshtls applied'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "version" -d 'Print the version, the git commit and the TLS stack (rustls, aws-lc) of this build'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and not __fish_seen_subcommand_from certgen cert create render validate analyze completion proxy-config describe verify demo proxy httpbin apply check cleanup version help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and __fish_seen_subcommand_from cert" -f -a "inspect" -d 'Show each certificate in PEM files: subject, SANs, serial, validity, key, CA flag, version'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and __fish_seen_subcommand_from create" -f -a "secret" -d 'Create a Secret'
complete -c meshtls -n "__fish_meshtls_using_subcommand help; and __fish_seen_subcommand_from proxy-config" -f -a "secret" -d 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
