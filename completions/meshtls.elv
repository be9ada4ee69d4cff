
use builtin;
use str;

set edit:completion:arg-completer[meshtls] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'meshtls'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'meshtls'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand certgen 'Make the task''s CA, server and client certificates (X.509 v3, SANs, keys 0600)'
            cand cert 'Work with certificate files'
            cand create 'Create Kubernetes objects as YAML, byte-identical to `kubectl create … --dry-run=client -o yaml`'
            cand render 'Print the task''s manifests (Istio install, namespace, policies, secrets, app, Sidecar, sleep)'
            cand validate 'Check Sidecar and PeerAuthentication YAML as Istio and its CRD schemas do'
            cand analyze 'Find the misconfigurations Istio silently ignores for sidecar TLS termination (istioctl analyze style)'
            cand completion 'Print a shell completion script'
            cand proxy-config 'Inspect a proxy''s configuration, as `istioctl proxy-config`'
            cand pc 'Inspect a proxy''s configuration, as `istioctl proxy-config`'
            cand describe 'Show what each ingress port of a workload gets from outside and inside the mesh, and why (as `istioctl x describe pod`, for the sidecar''s ingress)'
            cand verify 'Run the page''s checks (and negative ones) against a running sidecar, curl style'
            cand demo 'Run the whole task on this machine: certificates, manifests, sidecar, checks, secrets'
            cand proxy 'Run one workload''s sidecar locally, configured from the task''s YAML (Sidecar, PeerAuthentication, Deployment annotations, Secrets), as Istio''s Envoy would serve it'
            cand httpbin 'Run the embedded httpbin (the task''s app)'
            cand apply 'Server-side apply manifests to the cluster (field manager `meshtls`), as kubectl apply --server-side'
            cand check 'Check the cluster''s set-up for the task: istiod''s flag, namespace injection, the app''s sidecar volumes'
            cand cleanup 'Delete what the task created, as the page''s clean-up section; only objects meshtls applied'
            cand version 'Print the version, the git commit and the TLS stack (rustls, aws-lc) of this build'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshtls;certgen'= {
            cand --out 'Folder for the certificates and keys (created if missing)'
            cand --ca-subject 'The CA''s subject, openssl style'
            cand --server-host 'A DNS name for the server certificate; repeat for more. The first is also the CN. Default: <service>.<namespace>.svc.<cluster-domain> and its shorter forms'
            cand --client-host 'The client certificate''s DNS name (and CN). Default: client.<namespace>.svc.<cluster-domain>'
            cand -n 'Namespace used to derive host names'
            cand --namespace 'Namespace used to derive host names'
            cand --service 'Service name used to derive the server''s host names'
            cand --cluster-domain 'Cluster DNS domain used to derive host names'
            cand --key-type 'Key algorithm for all three keys'
            cand --days 'Validity in days, from now'
            cand -o 'Output format: `text` fits the table to the terminal, `wide` never cuts a cell'
            cand --output 'Output format: `text` fits the table to the terminal, `wide` never cuts a cell'
            cand --csr 'Also write the leaves'' certificate signing requests (*.csr), as the page''s openssl does'
            cand --force 'Replace existing files, including the CA'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;cert'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand inspect 'Show each certificate in PEM files: subject, SANs, serial, validity, key, CA flag, version'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshtls;cert;inspect'= {
            cand --ca 'Check each certificate''s chain against this CA bundle and say why it fails'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --now 'Evaluate validity at this instant (RFC 3339) instead of now'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;cert;help'= {
            cand inspect 'Show each certificate in PEM files: subject, SANs, serial, validity, key, CA flag, version'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshtls;cert;help;inspect'= {
        }
        &'meshtls;cert;help;help'= {
        }
        &'meshtls;create'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand secret 'Create a Secret'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshtls;create;secret'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand generic 'A generic (Opaque) secret from files, folders or literal values'
            cand tls 'A kubernetes.io/tls secret from a certificate and its key'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshtls;create;secret;generic'= {
            cand --from-file 'A file ([KEY=]PATH; the key defaults to the file name) or a folder (each regular file)'
            cand --from-literal 'A literal value (KEY=VALUE)'
            cand --type 'The Secret''s type (a generic secret has none unless given)'
            cand -n 'Namespace of the object'
            cand --namespace 'Namespace of the object'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --dry-run '`client` prints the object; `server` sends it as a server-side dry run; `none` applies it'
            cand -c 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --kubeconfig 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --context 'The kubeconfig context to use [default: its current-context]'
            cand --apply 'Server-side apply the objects to the cluster instead of printing them'
            cand --force-conflicts 'With --apply: take over fields that another field manager owns'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;create;secret;tls'= {
            cand --cert 'PEM certificate (chain) file'
            cand --key 'PEM private key file'
            cand -n 'Namespace of the object'
            cand --namespace 'Namespace of the object'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --dry-run '`client` prints the object; `server` sends it as a server-side dry run; `none` applies it'
            cand -c 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --kubeconfig 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --context 'The kubeconfig context to use [default: its current-context]'
            cand --apply 'Server-side apply the objects to the cluster instead of printing them'
            cand --force-conflicts 'With --apply: take over fields that another field manager owns'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;create;secret;help'= {
            cand generic 'A generic (Opaque) secret from files, folders or literal values'
            cand tls 'A kubernetes.io/tls secret from a certificate and its key'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshtls;create;secret;help;generic'= {
        }
        &'meshtls;create;secret;help;tls'= {
        }
        &'meshtls;create;secret;help;help'= {
        }
        &'meshtls;create;help'= {
            cand secret 'Create a Secret'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshtls;create;help;secret'= {
            cand generic 'A generic (Opaque) secret from files, folders or literal values'
            cand tls 'A kubernetes.io/tls secret from a certificate and its key'
        }
        &'meshtls;create;help;secret;generic'= {
        }
        &'meshtls;create;help;secret;tls'= {
        }
        &'meshtls;create;help;help'= {
        }
        &'meshtls;render'= {
            cand --out-dir 'Write one file per resource into DIR (created if missing) instead of stdout'
            cand --values 'Read parameters from a YAML file (camelCase keys, e.g. `tlsPort: 9443`); flags override it'
            cand --certs 'Folder with example.com.crt and <app>.<namespace>.svc.cluster.local.{crt,key}, for `secrets` [default: .; a bare `render` leaves the Secrets out when the folder has none of them]'
            cand -o 'Output format: `yaml`, the documents `kubectl apply -f` takes, or `json`, one List object as `kubectl get -o json` prints [default: yaml]'
            cand --output 'Output format: `yaml`, the documents `kubectl apply -f` takes, or `json`, one List object as `kubectl get -o json` prints [default: yaml]'
            cand -n 'Namespace of the app [default: test]'
            cand --namespace 'Namespace of the app [default: test]'
            cand --app 'App name: ServiceAccount, Service, Deployment and the `app` label [default: httpbin]'
            cand --sidecar-name 'Name of the Sidecar [default: ingress-sidecar]'
            cand --peer-auth-name 'Name of the workload PeerAuthentication [default: disable-peer-auth-for-external-mtls-port]'
            cand --secret 'Name of the server''s tls Secret [default: httpbin-mtls-termination]'
            cand --ca-secret 'Name of the CA''s Secret [default: httpbin-mtls-termination-cacert]'
            cand --sleep-namespace 'Namespaces for the sleep client (repeat) [default: default and --namespace]'
            cand --app-version 'The app''s `version` label [default: v1]'
            cand --image 'The app''s container image [default: docker.io/kennethreitz/httpbin]'
            cand --app-port 'The app container''s port, the listeners'' defaultEndpoint [default: 80]'
            cand --tls-port 'Workload port of the TLS listener (Service targetPort, portLevelMtls key) [default: 9080]'
            cand --http-port 'Workload port of the plain HTTP listener [default: 9081]'
            cand --service-tls-port 'Service port in front of the TLS port [default: 8443]'
            cand --service-http-port 'Service port in front of the HTTP port [default: 8080]'
            cand --tls-mode 'TLS mode of the Sidecar''s TLS listener [default: MUTUAL]'
            cand --protocol 'Declared protocol of the TLS listener [default: HTTPS]. GRPC, HTTP2 and TCP get no tls block (Istio allows one only on HTTPS and TLS ports), so they serve what their PeerAuthentication mode says'
            cand --min-tls-version 'minProtocolVersion of the TLS listener'
            cand --max-tls-version 'maxProtocolVersion of the TLS listener'
            cand --cipher-suites 'cipherSuites of the TLS listener (OpenSSL names, comma-separated)'
            cand --cert-mount 'Where istio-proxy mounts the server Secret [default: /etc/istio/tls-certs/]'
            cand --ca-mount 'Where istio-proxy mounts the CA Secret [default: /etc/istio/tls-ca-certs/]'
            cand --istio-api-version 'apiVersion of the Istio resources [default: v1]'
            cand -c 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --kubeconfig 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --context 'The kubeconfig context to use [default: its current-context]'
            cand --print-command 'Print the equivalent `istioctl install --set …` command instead of the manifests'
            cand --validate 'Check the Istio resources first (as `meshtls validate`); errors stop the render'
            cand --apply 'Server-side apply the objects to the cluster instead of printing them'
            cand --force-conflicts 'With --apply: take over fields that another field manager owns'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;validate'= {
            cand -f 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable'
            cand --filename 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -n 'Namespace reported for objects that set none, as kubectl would apply them'
            cand --namespace 'Namespace reported for objects that set none, as kubectl would apply them'
            cand -R 'Also read the folders below each folder given with -f'
            cand --recursive 'Also read the folders below each folder given with -f'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;analyze'= {
            cand -f 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable'
            cand --filename 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable'
            cand --certs 'Folder with the task''s certificate files (example.com.crt, <host>.crt/.key) to check too'
            cand --istio-install 'The Istio install config: an IstioOperator, istiod Helm values, or `istioctl install --set …` text'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --failure-threshold 'The lowest level that makes the exit status 79'
            cand --output-threshold 'The lowest level that is printed (the exit status still counts every finding)'
            cand --suppress 'Silence a known finding: CODE=Kind/namespace/name (`*` matches anything); repeatable'
            cand -n 'Namespace of objects that set none (as `kubectl apply -n`), named in the summary; the namespace read from the cluster [default: the context''s namespace with the cluster, else default]'
            cand --namespace 'Namespace of objects that set none (as `kubectl apply -n`), named in the summary; the namespace read from the cluster [default: the context''s namespace with the cluster, else default]'
            cand -i 'Where istiod runs, for its ENABLE_TLS_ON_SIDECAR_INGRESS and the root namespace''s policies'
            cand --istio-namespace 'Where istiod runs, for its ENABLE_TLS_ON_SIDECAR_INGRESS and the root namespace''s policies'
            cand -c 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --kubeconfig 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --context 'The kubeconfig context to use [default: its current-context]'
            cand --now 'Judge certificate validity at this instant (RFC 3339) instead of now'
            cand --explain 'Print the documentation of an analyzer code (cause and fix), as `rustc --explain`, and exit'
            cand -R 'Also read the folders below each folder given with -f'
            cand --recursive 'Also read the folders below each folder given with -f'
            cand --kube 'Read the namespace''s objects from the cluster too (the default when no file is given); files given with -f are laid over them, as `istioctl analyze` does'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;completion'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;proxy-config'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand secret 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
            cand secrets 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
            cand s 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshtls;pc'= {
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand secret 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
            cand secrets 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
            cand s 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshtls;proxy-config;secret'= {
            cand -f 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin'
            cand --file 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin'
            cand --admin 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT'
            cand --proxy-admin-port 'The proxy''s admin port inside the pod'
            cand -n 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]'
            cand --namespace 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --warn-within 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)'
            cand --warn-days 'With --check: fail certificates that expire within this many days (as --warn-within Nd)'
            cand --now 'Evaluate validity at this instant (RFC 3339) instead of now'
            cand -c 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --kubeconfig 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --context 'The kubeconfig context to use [default: its current-context]'
            cand --all-certs 'One row per certificate in a chain or bundle (istioctl shows the first only)'
            cand --check 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;proxy-config;secrets'= {
            cand -f 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin'
            cand --file 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin'
            cand --admin 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT'
            cand --proxy-admin-port 'The proxy''s admin port inside the pod'
            cand -n 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]'
            cand --namespace 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --warn-within 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)'
            cand --warn-days 'With --check: fail certificates that expire within this many days (as --warn-within Nd)'
            cand --now 'Evaluate validity at this instant (RFC 3339) instead of now'
            cand -c 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --kubeconfig 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --context 'The kubeconfig context to use [default: its current-context]'
            cand --all-certs 'One row per certificate in a chain or bundle (istioctl shows the first only)'
            cand --check 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;proxy-config;s'= {
            cand -f 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin'
            cand --file 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin'
            cand --admin 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT'
            cand --proxy-admin-port 'The proxy''s admin port inside the pod'
            cand -n 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]'
            cand --namespace 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --warn-within 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)'
            cand --warn-days 'With --check: fail certificates that expire within this many days (as --warn-within Nd)'
            cand --now 'Evaluate validity at this instant (RFC 3339) instead of now'
            cand -c 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --kubeconfig 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --context 'The kubeconfig context to use [default: its current-context]'
            cand --all-certs 'One row per certificate in a chain or bundle (istioctl shows the first only)'
            cand --check 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;pc;secret'= {
            cand -f 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin'
            cand --file 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin'
            cand --admin 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT'
            cand --proxy-admin-port 'The proxy''s admin port inside the pod'
            cand -n 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]'
            cand --namespace 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --warn-within 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)'
            cand --warn-days 'With --check: fail certificates that expire within this many days (as --warn-within Nd)'
            cand --now 'Evaluate validity at this instant (RFC 3339) instead of now'
            cand -c 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --kubeconfig 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --context 'The kubeconfig context to use [default: its current-context]'
            cand --all-certs 'One row per certificate in a chain or bundle (istioctl shows the first only)'
            cand --check 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;pc;secrets'= {
            cand -f 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin'
            cand --file 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin'
            cand --admin 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT'
            cand --proxy-admin-port 'The proxy''s admin port inside the pod'
            cand -n 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]'
            cand --namespace 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --warn-within 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)'
            cand --warn-days 'With --check: fail certificates that expire within this many days (as --warn-within Nd)'
            cand --now 'Evaluate validity at this instant (RFC 3339) instead of now'
            cand -c 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --kubeconfig 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --context 'The kubeconfig context to use [default: its current-context]'
            cand --all-certs 'One row per certificate in a chain or bundle (istioctl shows the first only)'
            cand --check 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;pc;s'= {
            cand -f 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin'
            cand --file 'An Envoy config dump (JSON, full or secrets only); `-` reads stdin'
            cand --admin 'Query a local Envoy-compatible admin (`meshtls proxy`, Envoy) at HOST:PORT'
            cand --proxy-admin-port 'The proxy''s admin port inside the pod'
            cand -n 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]'
            cand --namespace 'Namespace of a pod given without `.NAMESPACE` [default: the context''s namespace, else default]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --warn-within 'With --check: fail certificates that expire within this long (e.g. 36h, 7d, 90m)'
            cand --warn-days 'With --check: fail certificates that expire within this many days (as --warn-within Nd)'
            cand --now 'Evaluate validity at this instant (RFC 3339) instead of now'
            cand -c 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --kubeconfig 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --context 'The kubeconfig context to use [default: its current-context]'
            cand --all-certs 'One row per certificate in a chain or bundle (istioctl shows the first only)'
            cand --check 'Exit with status 3 if a secret is warming, not valid, or expires within --warn-within'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;proxy-config;help'= {
            cand secret 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshtls;proxy-config;help;secret'= {
        }
        &'meshtls;proxy-config;help;help'= {
        }
        &'meshtls;pc;help'= {
            cand secret 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshtls;pc;help;secret'= {
        }
        &'meshtls;pc;help;help'= {
        }
        &'meshtls;describe'= {
            cand -f 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable'
            cand --filename 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable'
            cand --workload 'The workload''s pod labels, when more than one Deployment could be meant (e.g. app=httpbin,version=v1)'
            cand -n 'Namespace of objects that set none (as `kubectl apply -n`); with `pod`, the pod''s namespace [default: the context''s namespace with a pod, else default]'
            cand --namespace 'Namespace of objects that set none (as `kubectl apply -n`); with `pod`, the pod''s namespace [default: the context''s namespace with a pod, else default]'
            cand -i 'Where istiod runs (with `pod`: its ENABLE_TLS_ON_SIDECAR_INGRESS and the root namespace''s policies)'
            cand --istio-namespace 'Where istiod runs (with `pod`: its ENABLE_TLS_ON_SIDECAR_INGRESS and the root namespace''s policies)'
            cand -c 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --kubeconfig 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --context 'The kubeconfig context to use [default: its current-context]'
            cand -o 'Output format'
            cand --output 'Output format'
            cand --now 'Count certificate days left from this instant (RFC 3339) instead of now'
            cand -R 'Also read the folders below each folder given with -f'
            cand --recursive 'Also read the folders below each folder given with -f'
            cand --enable-tls-on-sidecar-ingress 'Act as if istiod had ENABLE_TLS_ON_SIDECAR_INGRESS=true (normally read from the IstioOperator in the input)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;verify'= {
            cand -f 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable'
            cand --filename 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable'
            cand --workload 'The workload''s pod labels, when the manifests hold more than one (e.g. app=httpbin,version=v1)'
            cand -n 'Namespace of the app [default: test]'
            cand --namespace 'Namespace of the app [default: test]'
            cand --service 'The app''s Service name [default: httpbin]'
            cand --sidecar-name 'The Sidecar''s name, as in x-envoy-decorator-operation [default: ingress-sidecar]'
            cand --service-account 'The app''s service account, the server''s SPIFFE identity [default: the service name]'
            cand --tls-port 'Workload port of the TLS listener [default: 9080]'
            cand --http-port 'Workload port of the in-mesh HTTP listener [default: 9081]'
            cand --service-tls-port 'Service port in front of the TLS port [default: 8443]'
            cand --service-http-port 'Service port in front of the HTTP port [default: 8080]'
            cand --cluster-domain 'Cluster DNS domain of the service FQDN'
            cand --target 'Where to connect for a logical port, like curl''s --resolve (the FQDN stays SNI and Host): PORT=HOST:PORT, PORT being a service (8443, 8080) or workload (9080, 9081) port; repeat. Default: 127.0.0.1 at the workload port, where `meshtls proxy` listens'
            cand --certs 'Folder with the page''s files: example.com.{crt,key}, client.<ns>.svc.<domain>.{crt,key}'
            cand --cacert 'CA the server certificate must chain to (curl --cacert) [default: DIR/example.com.crt]'
            cand --cert 'Client certificate (curl --cert) [default: DIR/client.<ns>.svc.<domain>.crt]'
            cand --key 'Client key (curl --key) [default: DIR/client.<ns>.svc.<domain>.key]'
            cand --ca-key 'The CA''s key, to make an expired client certificate [default: DIR/example.com.key]'
            cand --mesh-dir 'The local mesh CA folder `meshtls proxy` uses (default: $HOME/.meshtls/mesh); the in-mesh client''s identity is issued from it'
            cand --timeout 'Seconds each request may take'
            cand -o 'Output format: `text` fits the table to the terminal, `wide` never cuts a cell'
            cand --output 'Output format: `text` fits the table to the terminal, `wide` never cuts a cell'
            cand --kube-workdir 'With --kube: the folder in the outside sleep pod for the client files, where curl runs'
            cand -c 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --kubeconfig 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --context 'The kubeconfig context to use [default: its current-context]'
            cand -R 'Also read the folders below each folder given with -f'
            cand --recursive 'Also read the folders below each folder given with -f'
            cand --no-negative 'Run only the page''s three checks'
            cand -v 'Show what `curl -I` prints for each check before the table'
            cand --verbose 'Show what `curl -I` prints for each check before the table'
            cand --kube 'Run curl inside the sleep pods of a cluster, as the page does: the in-mesh sleep in the app''s namespace, the outside one in `default` (the CA and client pair are copied into it)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;demo'= {
            cand --dir 'Work folder to keep (certificates, manifests, mounted secrets, mesh CA, logs); default: a temporary folder removed at the end (kept if a step fails)'
            cand --external-port 'Local port for the TLS listener (the page''s 9080, behind 8443); 0 picks a free one'
            cand --internal-port 'Local port for the in-mesh listener (the page''s 9081, behind 8080); 0 picks a free one'
            cand --admin-port 'Local port for the proxy''s admin API (the page''s 15000); 0 picks a free one'
            cand --app-port 'Local port for the embedded httpbin (the page''s container port 80); 0 picks a free one'
            cand --tls-mode 'The Sidecar''s tls mode to render [default: MUTUAL, the page''s]; SIMPLE shows the client-certificate checks failing'
            cand -o 'Output format: the tables, or one summary (listeners, checks, secrets) as JSON or YAML; the steps go to stderr either way'
            cand --output 'Output format: the tables, or one summary (listeners, checks, secrets) as JSON or YAML; the steps go to stderr either way'
            cand --keep 'Leave the proxy and httpbin running and print commands to try; Ctrl-C stops them'
            cand --no-negative 'Run only the page''s three checks'
            cand -v 'Show what `curl -I` prints for each check'
            cand --verbose 'Show what `curl -I` prints for each check'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;proxy'= {
            cand -f 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable'
            cand --filename 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable'
            cand --workload 'The workload''s pod labels, when more than one Deployment could be meant (e.g. app=httpbin,version=v1)'
            cand --bind 'Address the listeners bind to'
            cand --port-map 'Bind a workload port elsewhere: PORT=LOCAL (LOCAL 0 picks a free port); repeatable'
            cand --endpoint-override 'Send traffic for an app port elsewhere: PORT=HOST:PORT or PORT=unix:///path; repeatable'
            cand --admin 'Address of the Envoy-compatible admin API'
            cand --root 'Resolve the Sidecar''s pod paths under DIR instead of mounting the Secrets from the input'
            cand --state-dir 'Where the Secrets are mounted as the kubelet would (default: a temporary folder)'
            cand --mesh-dir 'The local mesh CA folder (ROOTCA and workload identities), shared with `meshtls verify`'
            cand --concurrency 'Worker threads (Envoy''s --concurrency)'
            cand --drain-timeout 'How long requests in flight may take to finish on SIGTERM/SIGINT (e.g. 5s, 500ms)'
            cand --access-log 'Where access-log lines go: stdout, off, or a file path'
            cand --idle-timeout 'Close a downstream connection (HTTP/1.1 or h2) that has carried no request for this long (Envoy''s HCM idle_timeout)'
            cand --max-connections 'Most downstream connections open at once; past it new ones are closed, as Envoy''s overload manager does (default: half the open-files limit)'
            cand --max-app-connections 'Most connections to the app each worker opens per port; requests beyond wait up to the connect timeout, then get Envoy''s 503 overflow (default: half the open-files limit, shared by the workers)'
            cand --response-timeout 'How long the app may take to send its response headers; past it the client gets Envoy''s 504 `upstream request timeout` (Envoy''s route timeout; default: none, as Istio)'
            cand --http1-engine 'HTTP/1.1 engine: `lean` (meshtls'' own loop for plain requests, hyper for the rest) or `hyper` (hyper for every request)'
            cand --h2-engine 'h2 engine, for clients that choose h2 over TLS: `lean` (meshtls'' own h2 server) or `hyper`'
            cand --app-listen 'With --app: the address httpbin listens on (default: a free loopback port)'
            cand -R 'Also read the folders below each folder given with -f'
            cand --recursive 'Also read the folders below each folder given with -f'
            cand --enable-tls-on-sidecar-ingress 'Act as if istiod had ENABLE_TLS_ON_SIDECAR_INGRESS=true (normally read from the IstioOperator in the input)'
            cand --app 'Also run the embedded httpbin in this process and send every listener to it'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;httpbin'= {
            cand --listen 'Address to listen on'
            cand --tcp-echo 'Also run a TCP echo here (the app behind a TCP or TLS port)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;apply'= {
            cand -f 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable'
            cand --filename 'Manifests to read: a file, a folder of *.yaml/*.yml/*.json, or `-` for stdin; repeatable'
            cand -n 'Namespace for namespaced objects that set none [default: the context''s namespace, else default]'
            cand --namespace 'Namespace for namespaced objects that set none [default: the context''s namespace, else default]'
            cand --dry-run '`server`: the API server checks everything and stores nothing; `none`: apply'
            cand -o 'Output format: kubectl''s lines, or the applied objects'' names as JSON or YAML'
            cand --output 'Output format: kubectl''s lines, or the applied objects'' names as JSON or YAML'
            cand -c 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --kubeconfig 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --context 'The kubeconfig context to use [default: its current-context]'
            cand -R 'Also read the folders below each folder given with -f'
            cand --recursive 'Also read the folders below each folder given with -f'
            cand --force-conflicts 'Take over fields that another field manager owns'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;check'= {
            cand -i 'Namespace where Istio''s control plane (istiod) runs'
            cand --istioNamespace 'Namespace where Istio''s control plane (istiod) runs'
            cand --values 'Read the task''s parameters from a YAML file, as `render --values`'
            cand -n 'Namespace of the app [default: test]'
            cand --namespace 'Namespace of the app [default: test]'
            cand --app 'App name: ServiceAccount, Service, Deployment and the `app` label [default: httpbin]'
            cand -o 'Output format: the ✔/✘ lines, or the checks as JSON or YAML'
            cand --output 'Output format: the ✔/✘ lines, or the checks as JSON or YAML'
            cand -c 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --kubeconfig 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --context 'The kubeconfig context to use [default: its current-context]'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;cleanup'= {
            cand --values 'Read the task''s parameters from a YAML file, as `render --values`'
            cand -n 'Namespace of the app [default: test]'
            cand --namespace 'Namespace of the app [default: test]'
            cand --app 'App name: ServiceAccount, Service, Deployment and the `app` label [default: httpbin]'
            cand --sidecar-name 'Name of the Sidecar [default: ingress-sidecar]'
            cand --peer-auth-name 'Name of the workload PeerAuthentication [default: disable-peer-auth-for-external-mtls-port]'
            cand --secret 'Name of the server''s tls Secret [default: httpbin-mtls-termination]'
            cand --ca-secret 'Name of the CA''s Secret [default: httpbin-mtls-termination-cacert]'
            cand --sleep-namespace 'Namespaces for the sleep client (repeat) [default: default and --namespace]'
            cand -o 'Output format: one line per object, or the objects and what happened as JSON or YAML'
            cand --output 'Output format: one line per object, or the objects and what happened as JSON or YAML'
            cand -c 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --kubeconfig 'Kubernetes configuration file [default: $KUBECONFIG (files merged as kubectl does), else ~/.kube/config, else in-cluster]'
            cand --context 'The kubeconfig context to use [default: its current-context]'
            cand --dry-run 'Say what would be deleted; delete nothing (the server checks each delete)'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;version'= {
            cand -o 'Output format'
            cand --output 'Output format'
            cand --short 'Print the version number only'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'meshtls;help'= {
            cand certgen 'Make the task''s CA, server and client certificates (X.509 v3, SANs, keys 0600)'
            cand cert 'Work with certificate files'
            cand create 'Create Kubernetes objects as YAML, byte-identical to `kubectl create … --dry-run=client -o yaml`'
            cand render 'Print the task''s manifests (Istio install, namespace, policies, secrets, app, Sidecar, sleep)'
            cand validate 'Check Sidecar and PeerAuthentication YAML as Istio and its CRD schemas do'
            cand analyze 'Find the misconfigurations Istio silently ignores for sidecar TLS termination (istioctl analyze style)'
            cand completion 'Print a shell completion script'
            cand proxy-config 'Inspect a proxy''s configuration, as `istioctl proxy-config`'
            cand describe 'Show what each ingress port of a workload gets from outside and inside the mesh, and why (as `istioctl x describe pod`, for the sidecar''s ingress)'
            cand verify 'Run the page''s checks (and negative ones) against a running sidecar, curl style'
            cand demo 'Run the whole task on this machine: certificates, manifests, sidecar, checks, secrets'
            cand proxy 'Run one workload''s sidecar locally, configured from the task''s YAML (Sidecar, PeerAuthentication, Deployment annotations, Secrets), as Istio''s Envoy would serve it'
            cand httpbin 'Run the embedded httpbin (the task''s app)'
            cand apply 'Server-side apply manifests to the cluster (field manager `meshtls`), as kubectl apply --server-side'
            cand check 'Check the cluster''s set-up for the task: istiod''s flag, namespace injection, the app''s sidecar volumes'
            cand cleanup 'Delete what the task created, as the page''s clean-up section; only objects meshtls applied'
            cand version 'Print the version, the git commit and the TLS stack (rustls, aws-lc) of this build'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'meshtls;help;certgen'= {
        }
        &'meshtls;help;cert'= {
            cand inspect 'Show each certificate in PEM files: subject, SANs, serial, validity, key, CA flag, version'
        }
        &'meshtls;help;cert;inspect'= {
        }
        &'meshtls;help;create'= {
            cand secret 'Create a Secret'
        }
        &'meshtls;help;create;secret'= {
            cand generic 'A generic (Opaque) secret from files, folders or literal values'
            cand tls 'A kubernetes.io/tls secret from a certificate and its key'
        }
        &'meshtls;help;create;secret;generic'= {
        }
        &'meshtls;help;create;secret;tls'= {
        }
        &'meshtls;help;render'= {
        }
        &'meshtls;help;validate'= {
        }
        &'meshtls;help;analyze'= {
        }
        &'meshtls;help;completion'= {
        }
        &'meshtls;help;proxy-config'= {
            cand secret 'List the secrets (certificates) a proxy holds, as `istioctl proxy-config secret`'
        }
        &'meshtls;help;proxy-config;secret'= {
        }
        &'meshtls;help;describe'= {
        }
        &'meshtls;help;verify'= {
        }
        &'meshtls;help;demo'= {
        }
        &'meshtls;help;proxy'= {
        }
        &'meshtls;help;httpbin'= {
        }
        &'meshtls;help;apply'= {
        }
        &'meshtls;help;check'= {
        }
        &'meshtls;help;cleanup'= {
        }
        &'meshtls;help;version'= {
        }
        &'meshtls;help;help'= {
        }
    ]
    $completions[$command]
}
