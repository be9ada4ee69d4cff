//! meshtls's one integration-test binary: command-line cases and interop with real peers. Its
//! harness is libtest-mimic (`harness = false` in Cargo.toml, see `harness.rs`): a test is a
//! `pub(crate) fn` listed in `TESTS` below; a missing peer ignores its test with the reason.
mod common;
mod fake_apiserver;
mod harness;

mod analyze;
mod cert_inspect;
mod certgen;
mod cluster;
mod completion;
mod create_secret;
mod errors;
mod h2_engines;
mod hostile;
mod http1_engines;
mod http1_fuzz;
mod manpage;
mod metrics;
mod no_key_leaks;
mod parity;
mod protocols;
mod proxy;
mod proxy_cli;
mod proxy_config;
mod render;
mod revocation;
mod robustness;
mod task_model;
mod tls_edges;
mod usage;
mod validate;
mod verify;
mod verify_envoy;
mod version;
mod widths;

use harness::Test;

fn main() -> std::process::ExitCode {
    let mut args = libtest_mimic::Arguments::from_args();
    // libtest's environment variable, which libtest-mimic does not read itself.
    if args.test_threads.is_none() {
        args.test_threads = std::env::var("RUST_TEST_THREADS")
            .ok()
            .and_then(|n| n.parse().ok());
    }
    harness::install_panic_hook();
    let trials = TESTS.iter().map(harness::trial).collect();
    let conclusion = libtest_mimic::run(&args, trials);
    harness::print_skipped();
    conclusion.exit_code()
}

/// Every test, in module order. A test not listed here does not run: `fn` items not listed are
/// dead code (clippy fails), and `harness::no_test_attributes_are_left` catches a `#[test]`.
const TESTS: &[Test] = &[
    Test {
        name: "parity::meshtls_answers_as_envoy_does_on_the_parity_corpus",
        run: parity::meshtls_answers_as_envoy_does_on_the_parity_corpus,
        ignore: None,
    },
    Test {
        name: "parity::full_corpus",
        run: parity::full_corpus,
        ignore: Some("the full parity corpus: MESHTLS_BLESS=1 cargo test --test it parity::full_corpus -- --ignored"),
    },
    Test {
        name: "metrics::prometheus_has_istios_metrics_for_http_mtls_and_tcp_as_a_real_parser_reads_them",
        run: metrics::prometheus_has_istios_metrics_for_http_mtls_and_tcp_as_a_real_parser_reads_them,
        ignore: None,
    },
    Test {
        name: "protocols::websocket_upgrades_pass_through_with_the_101",
        run: protocols::websocket_upgrades_pass_through_with_the_101,
        ignore: None,
    },
    Test {
        name: "protocols::grpc_ports_speak_h2_to_the_app_with_status_and_trailers",
        run: protocols::grpc_ports_speak_h2_to_the_app_with_status_and_trailers,
        ignore: None,
    },
    Test {
        name: "protocols::tcp_ports_proxy_bytes_with_envoys_counters_and_log_line",
        run: protocols::tcp_ports_proxy_bytes_with_envoys_counters_and_log_line,
        ignore: None,
    },
    Test {
        name: "protocols::tls_and_strict_tcp_ports_terminate_then_proxy_tcp",
        run: protocols::tls_and_strict_tcp_ports_terminate_then_proxy_tcp,
        ignore: None,
    },
    Test {
        name: "protocols::envoy_and_meshtls_agree_on_websocket_grpc_and_tcp",
        run: protocols::envoy_and_meshtls_agree_on_websocket_grpc_and_tcp,
        ignore: None,
    },
    Test {
        name: "h2_engines::h2_engines_agree_on_requests_and_responses",
        run: h2_engines::h2_engines_agree_on_requests_and_responses,
        ignore: None,
    },
    Test {
        name: "h2_engines::lean_h2_answers_bad_frames_as_envoy_does",
        run: h2_engines::lean_h2_answers_bad_frames_as_envoy_does,
        ignore: None,
    },
    Test {
        name: "h2_engines::lean_h2_holds_floods_to_envoys_limits",
        run: h2_engines::lean_h2_holds_floods_to_envoys_limits,
        ignore: None,
    },
    Test {
        name: "http1_engines::engines_agree_on_websocket_upgrades",
        run: http1_engines::engines_agree_on_websocket_upgrades,
        ignore: None,
    },
    Test {
        name: "http1_engines::engines_agree_on_other_upgrades",
        run: http1_engines::engines_agree_on_other_upgrades,
        ignore: None,
    },
    Test {
        name: "harness::a_missing_peer_is_reported_ignored_with_the_reason",
        run: harness::a_missing_peer_is_reported_ignored_with_the_reason,
        ignore: None,
    },
    Test {
        name: "harness::no_test_attributes_are_left",
        run: harness::no_test_attributes_are_left,
        ignore: None,
    },
    Test {
        name: "analyze::base_is_clean",
        run: analyze::base_is_clean,
        ignore: None,
    },
    Test {
        name: "analyze::check_1_tls_flag_off",
        run: analyze::check_1_tls_flag_off,
        ignore: None,
    },
    Test {
        name: "analyze::check_2_tls_port_not_disable",
        run: analyze::check_2_tls_port_not_disable,
        ignore: None,
    },
    Test {
        name: "analyze::check_3_permissive_plain_port",
        run: analyze::check_3_permissive_plain_port,
        ignore: None,
    },
    Test {
        name: "analyze::check_4_path_outside_the_mounts",
        run: analyze::check_4_path_outside_the_mounts,
        ignore: None,
    },
    Test {
        name: "analyze::check_4_mount_of_an_unknown_volume",
        run: analyze::check_4_mount_of_an_unknown_volume,
        ignore: None,
    },
    Test {
        name: "analyze::check_4_annotation_that_is_not_json",
        run: analyze::check_4_annotation_that_is_not_json,
        ignore: None,
    },
    Test {
        name: "analyze::check_5_secret_not_in_the_input",
        run: analyze::check_5_secret_not_in_the_input,
        ignore: None,
    },
    Test {
        name: "analyze::check_5_optional_hides_a_missing_secret",
        run: analyze::check_5_optional_hides_a_missing_secret,
        ignore: None,
    },
    Test {
        name: "analyze::check_5_secret_without_the_key",
        run: analyze::check_5_secret_without_the_key,
        ignore: None,
    },
    Test {
        name: "analyze::check_6_selectors_matching_nothing",
        run: analyze::check_6_selectors_matching_nothing,
        ignore: None,
    },
    Test {
        name: "analyze::check_7_ports_that_do_not_line_up",
        run: analyze::check_7_ports_that_do_not_line_up,
        ignore: None,
    },
    Test {
        name: "analyze::check_8_validation",
        run: analyze::check_8_validation,
        ignore: None,
    },
    Test {
        name: "analyze::check_10_doubled_sidecars",
        run: analyze::check_10_doubled_sidecars,
        ignore: None,
    },
    Test {
        name: "analyze::check_9_server_certificate_for_another_name",
        run: analyze::check_9_server_certificate_for_another_name,
        ignore: None,
    },
    Test {
        name: "analyze::check_9_certificates_expiring_soon",
        run: analyze::check_9_certificates_expiring_soon,
        ignore: None,
    },
    Test {
        name: "analyze::check_9_expired_certificates",
        run: analyze::check_9_expired_certificates,
        ignore: None,
    },
    Test {
        name: "analyze::check_9_key_that_does_not_match",
        run: analyze::check_9_key_that_does_not_match,
        ignore: None,
    },
    Test {
        name: "analyze::check_9_certificates_from_another_ca",
        run: analyze::check_9_certificates_from_another_ca,
        ignore: None,
    },
    Test {
        name: "analyze::check_9_ca_secret_that_is_not_pem",
        run: analyze::check_9_ca_secret_that_is_not_pem,
        ignore: None,
    },
    Test {
        name: "analyze::check_9_the_pages_openssl_certificates_warn_only",
        run: analyze::check_9_the_pages_openssl_certificates_warn_only,
        ignore: None,
    },
    Test {
        name: "analyze::the_pages_manifests_with_meshtls_certificates_are_clean",
        run: analyze::the_pages_manifests_with_meshtls_certificates_are_clean,
        ignore: None,
    },
    Test {
        name: "analyze::the_pages_yaml_with_its_install_command_is_clean",
        run: analyze::the_pages_yaml_with_its_install_command_is_clean,
        ignore: None,
    },
    Test {
        name: "analyze::json_and_yaml_output",
        run: analyze::json_and_yaml_output,
        ignore: None,
    },
    Test {
        name: "analyze::failure_threshold_sets_the_failing_level",
        run: analyze::failure_threshold_sets_the_failing_level,
        ignore: None,
    },
    Test {
        name: "analyze::suppress_silences_one_finding",
        run: analyze::suppress_silences_one_finding,
        ignore: None,
    },
    Test {
        name: "analyze::positional_file_and_folder",
        run: analyze::positional_file_and_folder,
        ignore: None,
    },
    Test {
        name: "analyze::malformed_yaml_is_a_data_error",
        run: analyze::malformed_yaml_is_a_data_error,
        ignore: None,
    },
    Test {
        name: "analyze::check_9_a_folder_alone_is_checked_against_its_own_ca",
        run: analyze::check_9_a_folder_alone_is_checked_against_its_own_ca,
        ignore: None,
    },
    Test {
        name: "analyze::explain_prints_each_code_as_the_readme_documents_it",
        run: analyze::explain_prints_each_code_as_the_readme_documents_it,
        ignore: None,
    },
    Test {
        name: "analyze::check_9_key_the_real_proxy_cannot_load",
        run: analyze::check_9_key_the_real_proxy_cannot_load,
        ignore: None,
    },
    Test {
        name: "cert_inspect::shows_the_page_v1_openssl_certificates",
        run: cert_inspect::shows_the_page_v1_openssl_certificates,
        ignore: None,
    },
    Test {
        name: "cert_inspect::says_why_a_chain_does_not_verify",
        run: cert_inspect::says_why_a_chain_does_not_verify,
        ignore: None,
    },
    Test {
        name: "cert_inspect::json_output_lists_every_certificate_in_a_bundle",
        run: cert_inspect::json_output_lists_every_certificate_in_a_bundle,
        ignore: None,
    },
    Test {
        name: "cert_inspect::non_pem_and_missing_files_are_clear_errors",
        run: cert_inspect::non_pem_and_missing_files_are_clear_errors,
        ignore: None,
    },
    Test {
        name: "certgen::makes_the_page_files_with_private_keys_0600",
        run: certgen::makes_the_page_files_with_private_keys_0600,
        ignore: None,
    },
    Test {
        name: "certgen::openssl_verifies_the_leaves_and_sees_v3_sans_and_ekus",
        run: certgen::openssl_verifies_the_leaves_and_sees_v3_sans_and_ekus,
        ignore: None,
    },
    Test {
        name: "certgen::csr_flag_writes_requests_openssl_accepts",
        run: certgen::csr_flag_writes_requests_openssl_accepts,
        ignore: None,
    },
    Test {
        name: "certgen::every_key_type_makes_a_chain_openssl_verifies",
        run: certgen::every_key_type_makes_a_chain_openssl_verifies,
        ignore: None,
    },
    Test {
        name: "certgen::custom_names_derive_hosts_and_file_names",
        run: certgen::custom_names_derive_hosts_and_file_names,
        ignore: None,
    },
    Test {
        name: "certgen::never_overwrites_without_force",
        run: certgen::never_overwrites_without_force,
        ignore: None,
    },
    Test {
        name: "certgen::reuses_an_existing_ca_to_sign_new_leaves",
        run: certgen::reuses_an_existing_ca_to_sign_new_leaves,
        ignore: None,
    },
    Test {
        name: "certgen::reuses_a_ca_made_by_the_page_openssl_command",
        run: certgen::reuses_a_ca_made_by_the_page_openssl_command,
        ignore: None,
    },
    Test {
        name: "certgen::a_corrupt_ca_is_an_error_and_changes_nothing",
        run: certgen::a_corrupt_ca_is_an_error_and_changes_nothing,
        ignore: None,
    },
    Test {
        name: "certgen::a_ca_key_that_does_not_match_is_an_error",
        run: certgen::a_ca_key_that_does_not_match_is_an_error,
        ignore: None,
    },
    Test {
        name: "certgen::a_half_present_ca_is_an_error",
        run: certgen::a_half_present_ca_is_an_error,
        ignore: None,
    },
    Test {
        name: "certgen::a_leaf_used_as_ca_is_refused",
        run: certgen::a_leaf_used_as_ca_is_refused,
        ignore: None,
    },
    Test {
        name: "certgen::an_invalid_host_name_is_an_error_before_any_file_is_written",
        run: certgen::an_invalid_host_name_is_an_error_before_any_file_is_written,
        ignore: None,
    },
    Test {
        name: "certgen::an_unwritable_folder_is_an_error_and_leaves_nothing",
        run: certgen::an_unwritable_folder_is_an_error_and_leaves_nothing,
        ignore: None,
    },
    Test {
        name: "certgen::a_bad_flag_is_a_usage_error",
        run: certgen::a_bad_flag_is_a_usage_error,
        ignore: None,
    },
    Test {
        name: "certgen::killing_certgen_leaves_no_temporary_file",
        run: certgen::killing_certgen_leaves_no_temporary_file,
        ignore: None,
    },
    Test {
        name: "certgen::openssl_pkey_reads_every_key_type",
        run: certgen::openssl_pkey_reads_every_key_type,
        ignore: None,
    },
    Test {
        name: "certgen::a_real_envoy_loads_an_ed25519_pair",
        run: certgen::a_real_envoy_loads_an_ed25519_pair,
        ignore: None,
    },
    Test {
        name: "cluster::apply_creates_the_task_then_updates_it_and_kubectl_reads_it_back",
        run: cluster::apply_creates_the_task_then_updates_it_and_kubectl_reads_it_back,
        ignore: None,
    },
    Test {
        name: "cluster::server_dry_run_stores_nothing_and_says_so",
        run: cluster::server_dry_run_stores_nothing_and_says_so,
        ignore: None,
    },
    Test {
        name: "cluster::missing_istio_crds_stop_the_apply_before_anything_is_sent",
        run: cluster::missing_istio_crds_stop_the_apply_before_anything_is_sent,
        ignore: None,
    },
    Test {
        name: "cluster::render_apply_and_create_secret_apply_send_to_the_cluster",
        run: cluster::render_apply_and_create_secret_apply_send_to_the_cluster,
        ignore: None,
    },
    Test {
        name: "cluster::kubeconfig_files_merge_as_kubectl_and_the_context_namespace_is_the_default",
        run: cluster::kubeconfig_files_merge_as_kubectl_and_the_context_namespace_is_the_default,
        ignore: None,
    },
    Test {
        name: "cluster::proxy_config_secret_reads_a_pod_through_a_port_forward",
        run: cluster::proxy_config_secret_reads_a_pod_through_a_port_forward,
        ignore: None,
    },
    Test {
        name: "cluster::check_passes_on_a_healthy_cluster",
        run: cluster::check_passes_on_a_healthy_cluster,
        ignore: None,
    },
    Test {
        name: "cluster::check_reports_each_problem_with_a_fix_and_exits_3",
        run: cluster::check_reports_each_problem_with_a_fix_and_exits_3,
        ignore: None,
    },
    Test {
        name: "cluster::cleanup_deletes_only_what_meshtls_applied",
        run: cluster::cleanup_deletes_only_what_meshtls_applied,
        ignore: None,
    },
    Test {
        name: "cluster::cleanup_removes_the_namespace_when_only_meshtls_objects_are_in_it",
        run: cluster::cleanup_removes_the_namespace_when_only_meshtls_objects_are_in_it,
        ignore: None,
    },
    Test {
        name: "cluster::exec_and_copy_helpers_run_in_a_pod_over_websocket",
        run: cluster::exec_and_copy_helpers_run_in_a_pod_over_websocket,
        ignore: None,
    },
    Test {
        name: "cluster::verify_kube_pieces_find_the_sleep_pods_stage_files_and_read_curl",
        run: cluster::verify_kube_pieces_find_the_sleep_pods_stage_files_and_read_curl,
        ignore: None,
    },
    Test {
        name: "cluster::apply_reads_stdin_and_refuses_a_namespace_that_contradicts_the_flag",
        run: cluster::apply_reads_stdin_and_refuses_a_namespace_that_contradicts_the_flag,
        ignore: None,
    },
    Test {
        name: "cluster::a_field_another_applier_owns_needs_force_conflicts",
        run: cluster::a_field_another_applier_owns_needs_force_conflicts,
        ignore: None,
    },
    Test {
        name: "cluster::verify_kube_copies_the_client_pair_and_runs_the_pages_curl_in_the_sleep_pods",
        run: cluster::verify_kube_copies_the_client_pair_and_runs_the_pages_curl_in_the_sleep_pods,
        ignore: None,
    },
    Test {
        name: "cluster::apply_check_and_cleanup_print_json_and_yaml",
        run: cluster::apply_check_and_cleanup_print_json_and_yaml,
        ignore: None,
    },
    Test {
        name: "cluster::analyze_reads_the_live_cluster_and_the_page_is_clean",
        run: cluster::analyze_reads_the_live_cluster_and_the_page_is_clean,
        ignore: None,
    },
    Test {
        name: "cluster::analyze_from_the_cluster_finds_what_analyze_from_files_finds",
        run: cluster::analyze_from_the_cluster_finds_what_analyze_from_files_finds,
        ignore: None,
    },
    Test {
        name: "cluster::describe_pod_reads_the_same_model_from_the_cluster",
        run: cluster::describe_pod_reads_the_same_model_from_the_cluster,
        ignore: None,
    },
    Test {
        name: "completion::committed_completions_are_current",
        run: completion::committed_completions_are_current,
        ignore: None,
    },
    Test {
        name: "create_secret::secrets_from_meshtls_certs_match_kubectl_byte_for_byte",
        run: create_secret::secrets_from_meshtls_certs_match_kubectl_byte_for_byte,
        ignore: None,
    },
    Test {
        name: "create_secret::secrets_from_the_page_openssl_certs_match_kubectl_byte_for_byte",
        run: create_secret::secrets_from_the_page_openssl_certs_match_kubectl_byte_for_byte,
        ignore: None,
    },
    Test {
        name: "create_secret::folders_literals_types_and_odd_values_match_kubectl",
        run: create_secret::folders_literals_types_and_odd_values_match_kubectl,
        ignore: None,
    },
    Test {
        name: "create_secret::error_messages_and_exit_codes_match_kubectl",
        run: create_secret::error_messages_and_exit_codes_match_kubectl,
        ignore: None,
    },
    Test {
        name: "create_secret::a_certificate_request_is_not_a_certificate",
        run: create_secret::a_certificate_request_is_not_a_certificate,
        ignore: None,
    },
    Test {
        name: "create_secret::without_kubectl_the_yaml_is_still_well_formed",
        run: create_secret::without_kubectl_the_yaml_is_still_well_formed,
        ignore: None,
    },
    Test {
        name: "create_secret::a_folder_with_a_temporary_file_gives_kubectls_bytes_and_a_warning",
        run: create_secret::a_folder_with_a_temporary_file_gives_kubectls_bytes_and_a_warning,
        ignore: None,
    },
    Test {
        name: "errors::verify_with_no_proxy_says_what_to_start_and_exits_1",
        run: errors::verify_with_no_proxy_says_what_to_start_and_exits_1,
        ignore: None,
    },
    Test {
        name: "errors::each_cause_is_printed_once",
        run: errors::each_cause_is_printed_once,
        ignore: None,
    },
    Test {
        name: "errors::a_duplicate_key_names_the_key_and_the_line",
        run: errors::a_duplicate_key_names_the_key_and_the_line,
        ignore: None,
    },
    Test {
        name: "errors::empty_input_warns_that_nothing_was_checked",
        run: errors::empty_input_warns_that_nothing_was_checked,
        ignore: None,
    },
    Test {
        name: "errors::pc_secret_without_input_names_pod_file_and_admin",
        run: errors::pc_secret_without_input_names_pod_file_and_admin,
        ignore: None,
    },
    Test {
        name: "http1_engines::engines_agree_on_client_requests",
        run: http1_engines::engines_agree_on_client_requests,
        ignore: None,
    },
    Test {
        name: "http1_engines::engines_agree_on_smuggling_attempts",
        run: http1_engines::engines_agree_on_smuggling_attempts,
        ignore: None,
    },
    Test {
        name: "http1_engines::engines_agree_on_app_responses",
        run: http1_engines::engines_agree_on_app_responses,
        ignore: None,
    },
    Test {
        name: "http1_engines::engines_agree_on_upstream_failures",
        run: http1_engines::engines_agree_on_upstream_failures,
        ignore: None,
    },
    Test {
        name: "http1_engines::engines_agree_on_random_splits",
        run: http1_engines::engines_agree_on_random_splits,
        ignore: None,
    },
    Test {
        name: "http1_engines::lean_simple_get_adds_exactly_envoys_headers",
        run: http1_engines::lean_simple_get_adds_exactly_envoys_headers,
        ignore: None,
    },
    Test {
        name: "http1_engines::engines_write_the_same_access_log_lines",
        run: http1_engines::engines_write_the_same_access_log_lines,
        ignore: None,
    },
    Test {
        name: "http1_engines::http10_and_a_missing_host_get_envoys_local_replies",
        run: http1_engines::http10_and_a_missing_host_get_envoys_local_replies,
        ignore: None,
    },
    Test {
        name: "http1_fuzz::engines_agree_under_fuzzing",
        run: http1_fuzz::engines_agree_under_fuzzing,
        ignore: Some(
            "a long fuzz run: FUZZ_ITERATIONS (300), FUZZ_SECONDS (120), FUZZ_SEED, FUZZ_JOBS (4)",
        ),
    },
    Test {
        name: "manpage::committed_man_pages_are_current",
        run: manpage::committed_man_pages_are_current,
        ignore: None,
    },
    Test {
        name: "proxy::page_check_b_external_mtls_gets_200_over_h2_with_envoy_headers",
        run: proxy::page_check_b_external_mtls_gets_200_over_h2_with_envoy_headers,
        ignore: None,
    },
    Test {
        name: "proxy::page_check_a_in_mesh_client_gets_200_on_the_strict_port",
        run: proxy::page_check_a_in_mesh_client_gets_200_on_the_strict_port,
        ignore: None,
    },
    Test {
        name: "proxy::page_check_c_plaintext_to_the_strict_port_is_reset",
        run: proxy::page_check_c_plaintext_to_the_strict_port_is_reset,
        ignore: None,
    },
    Test {
        name: "proxy::clients_without_a_valid_certificate_are_rejected",
        run: proxy::clients_without_a_valid_certificate_are_rejected,
        ignore: None,
    },
    Test {
        name: "proxy::the_page_openssl_v1_certificates_are_accepted",
        run: proxy::the_page_openssl_v1_certificates_are_accepted,
        ignore: None,
    },
    Test {
        name: "proxy::plaintext_to_the_tls_port_fails",
        run: proxy::plaintext_to_the_tls_port_fails,
        ignore: None,
    },
    Test {
        name: "proxy::the_app_down_gives_envoys_503_and_recovers",
        run: proxy::the_app_down_gives_envoys_503_and_recovers,
        ignore: None,
    },
    Test {
        name: "proxy::config_dump_has_envoys_shape_names_and_order",
        run: proxy::config_dump_has_envoys_shape_names_and_order,
        ignore: None,
    },
    Test {
        name: "proxy::certificate_rotation_under_load_loses_no_request",
        run: proxy::certificate_rotation_under_load_loses_no_request,
        ignore: None,
    },
    Test {
        name: "proxy::a_bad_new_certificate_keeps_the_old_one_and_a_missing_ca_warms",
        run: proxy::a_bad_new_certificate_keeps_the_old_one_and_a_missing_ca_warms,
        ignore: None,
    },
    Test {
        name: "proxy::config_dump_has_the_shape_of_a_real_envoy_dump",
        run: proxy::config_dump_has_the_shape_of_a_real_envoy_dump,
        ignore: None,
    },
    Test {
        name: "proxy::protocol_versions_and_cipher_suites_are_enforced",
        run: proxy::protocol_versions_and_cipher_suites_are_enforced,
        ignore: None,
    },
    Test {
        name: "proxy::optional_mutual_serves_clients_with_or_without_a_certificate_but_never_a_bad_one",
        run:
            proxy::optional_mutual_serves_clients_with_or_without_a_certificate_but_never_a_bad_one,
        ignore: None,
    },
    Test {
        name: "proxy::a_new_ca_bundle_is_enforced_at_once_reload_never_loosens_verification",
        run: proxy::a_new_ca_bundle_is_enforced_at_once_reload_never_loosens_verification,
        ignore: None,
    },
    Test {
        name: "proxy::proxy_config_secret_reads_our_proxys_dump_live_and_saved",
        run: proxy::proxy_config_secret_reads_our_proxys_dump_live_and_saved,
        ignore: None,
    },
    Test {
        name: "proxy::httpbin_answers_head_on_its_get_routes_without_a_body",
        run: proxy::httpbin_answers_head_on_its_get_routes_without_a_body,
        ignore: None,
    },
    Test {
        name: "proxy::large_bodies_cross_mutual_tls_whole_on_both_engines_and_h2",
        run: proxy::large_bodies_cross_mutual_tls_whole_on_both_engines_and_h2,
        ignore: None,
    },
    Test {
        name: "proxy_cli::the_rendered_task_is_served_and_sigterm_exits_0",
        run: proxy_cli::the_rendered_task_is_served_and_sigterm_exits_0,
        ignore: None,
    },
    Test {
        name: "proxy_cli::without_the_install_flag_the_tls_block_is_ignored_and_said_so",
        run: proxy_cli::without_the_install_flag_the_tls_block_is_ignored_and_said_so,
        ignore: None,
    },
    Test {
        name: "proxy_cli::a_tls_port_that_is_not_disable_keeps_istio_mtls_and_names_the_policy",
        run: proxy_cli::a_tls_port_that_is_not_disable_keeps_istio_mtls_and_names_the_policy,
        ignore: None,
    },
    Test {
        name: "proxy_cli::a_changed_secret_in_the_input_is_served_within_2_seconds",
        run: proxy_cli::a_changed_secret_in_the_input_is_served_within_2_seconds,
        ignore: None,
    },
    Test {
        name: "proxy_cli::requests_in_flight_finish_during_the_drain",
        run: proxy_cli::requests_in_flight_finish_during_the_drain,
        ignore: None,
    },
    Test {
        name: "proxy_cli::ambiguous_or_missing_workloads_are_clear_errors",
        run: proxy_cli::ambiguous_or_missing_workloads_are_clear_errors,
        ignore: None,
    },
    Test {
        name: "proxy_cli::a_port_in_use_names_the_flag_that_moves_it",
        run: proxy_cli::a_port_in_use_names_the_flag_that_moves_it,
        ignore: None,
    },
    Test {
        name: "proxy_config::envoy::a_real_envoy_table_matches_the_certificates_on_disk",
        run: proxy_config::envoy::a_real_envoy_table_matches_the_certificates_on_disk,
        ignore: None,
    },
    Test {
        name: "proxy_config::secret_tables_and_dumps_match_goldens",
        run: proxy_config::secret_tables_and_dumps_match_goldens,
        ignore: None,
    },
    Test {
        name: "proxy_config::regenerate_fixtures",
        run: proxy_config::regenerate_fixtures,
        ignore: Some("rewrites testdata/proxy-config; run by hand"),
    },
    Test {
        name: "proxy_config::a_20_byte_serial_with_a_zero_top_nibble_keeps_every_digit",
        run: proxy_config::a_20_byte_serial_with_a_zero_top_nibble_keeps_every_digit,
        ignore: None,
    },
    Test {
        name: "proxy_config::private_keys_never_print",
        run: proxy_config::private_keys_never_print,
        ignore: None,
    },
    Test {
        name: "proxy_config::bad_input_is_an_error_naming_the_input_not_a_panic",
        run: proxy_config::bad_input_is_an_error_naming_the_input_not_a_panic,
        ignore: None,
    },
    Test {
        name: "proxy_config::a_pod_without_any_kubeconfig_says_how_to_give_one",
        run: proxy_config::a_pod_without_any_kubeconfig_says_how_to_give_one,
        ignore: None,
    },
    Test {
        name: "proxy_config::an_unreachable_admin_is_an_error_naming_the_address",
        run: proxy_config::an_unreachable_admin_is_an_error_naming_the_address,
        ignore: None,
    },
    Test {
        name: "proxy_config::a_large_dump_is_skipped_to_its_secrets",
        run: proxy_config::a_large_dump_is_skipped_to_its_secrets,
        ignore: None,
    },
    Test {
        name: "proxy_config::write_big_dump",
        run: proxy_config::write_big_dump,
        ignore: Some("writes a 50 MB file for a manual benchmark"),
    },
    Test {
        name: "proxy_config::a_local_admin_is_queried_for_the_secrets_only",
        run: proxy_config::a_local_admin_is_queried_for_the_secrets_only,
        ignore: None,
    },
    Test {
        name: "proxy_config::a_spire_style_dump_shows_the_trust_domain_of_every_row",
        run: proxy_config::a_spire_style_dump_shows_the_trust_domain_of_every_row,
        ignore: None,
    },
    Test {
        name: "render::default_render_matches_golden",
        run: render::default_render_matches_golden,
        ignore: None,
    },
    Test {
        name: "render::simple_render_matches_golden",
        run: render::simple_render_matches_golden,
        ignore: None,
    },
    Test {
        name: "render::optional_mutual_render_matches_golden",
        run: render::optional_mutual_render_matches_golden,
        ignore: None,
    },
    Test {
        name: "render::custom_names_and_ports_match_golden",
        run: render::custom_names_and_ports_match_golden,
        ignore: None,
    },
    Test {
        name: "render::values_file_gives_the_same_as_flags_and_flags_override_it",
        run: render::values_file_gives_the_same_as_flags_and_flags_override_it,
        ignore: None,
    },
    Test {
        name: "render::unknown_values_key_is_a_data_error",
        run: render::unknown_values_key_is_a_data_error,
        ignore: None,
    },
    Test {
        name: "render::default_render_equals_the_pages_resources",
        run: render::default_render_equals_the_pages_resources,
        ignore: None,
    },
    Test {
        name: "render::default_render_adds_namespace_install_and_secrets",
        run: render::default_render_adds_namespace_install_and_secrets,
        ignore: None,
    },
    Test {
        name: "render::secrets_are_the_create_secret_bytes",
        run: render::secrets_are_the_create_secret_bytes,
        ignore: None,
    },
    Test {
        name: "render::render_parse_render_gives_the_same_bytes",
        run: render::render_parse_render_gives_the_same_bytes,
        ignore: None,
    },
    Test {
        name: "render::out_dir_writes_one_file_per_resource",
        run: render::out_dir_writes_one_file_per_resource,
        ignore: None,
    },
    Test {
        name: "render::print_command_prints_the_istioctl_line",
        run: render::print_command_prints_the_istioctl_line,
        ignore: None,
    },
    Test {
        name: "render::missing_certificates_say_how_to_make_them",
        run: render::missing_certificates_say_how_to_make_them,
        ignore: None,
    },
    Test {
        name: "render::bare_render_without_certificates_leaves_the_secrets_out",
        run: render::bare_render_without_certificates_leaves_the_secrets_out,
        ignore: None,
    },
    Test {
        name: "render::bad_parameters_are_all_reported",
        run: render::bad_parameters_are_all_reported,
        ignore: None,
    },
    Test {
        name: "render::render_validate_passes_on_the_task",
        run: render::render_validate_passes_on_the_task,
        ignore: None,
    },
    Test {
        name: "render::yaml_1_1_look_alikes_stay_quoted",
        run: render::yaml_1_1_look_alikes_stay_quoted,
        ignore: None,
    },
    Test {
        name: "render::kubectl_reads_every_document",
        run: render::kubectl_reads_every_document,
        ignore: None,
    },
    Test {
        name: "render::what_is_printed_in_apply_order_once",
        run: render::what_is_printed_in_apply_order_once,
        ignore: None,
    },
    Test {
        name: "render::older_istio_api_versions_render_and_validate",
        run: render::older_istio_api_versions_render_and_validate,
        ignore: None,
    },
    Test {
        name: "render::rendered_manifests_are_validated_as_istio_does",
        run: render::rendered_manifests_are_validated_as_istio_does,
        ignore: None,
    },
    Test {
        name: "render::invalid_label_values_are_refused_before_rendering",
        run: render::invalid_label_values_are_refused_before_rendering,
        ignore: None,
    },
    Test {
        name: "render::json_output_is_a_kubectl_list",
        run: render::json_output_is_a_kubectl_list,
        ignore: None,
    },
    Test {
        name: "render::out_dir_writes_secrets_0600",
        run: render::out_dir_writes_secrets_0600,
        ignore: None,
    },
    Test {
        name: "robustness::mutated_certificates_keys_and_pem_never_panic",
        run: robustness::mutated_certificates_keys_and_pem_never_panic,
        ignore: None,
    },
    Test {
        name: "task_model::proxy_analyze_verify_and_describe_pick_the_same_workload_sidecar_and_modes",
        run: task_model::proxy_analyze_verify_and_describe_pick_the_same_workload_sidecar_and_modes,
        ignore: None,
    },
    Test {
        name: "task_model::without_a_workload_two_selected_deployments_are_named_not_guessed",
        run: task_model::without_a_workload_two_selected_deployments_are_named_not_guessed,
        ignore: None,
    },
    Test {
        name: "task_model::describe_reads_a_folder_and_several_files_and_prints_json",
        run: task_model::describe_reads_a_folder_and_several_files_and_prints_json,
        ignore: None,
    },
    Test {
        name: "task_model::describe_says_when_a_gate_ignores_tls_and_still_exits_0",
        run: task_model::describe_says_when_a_gate_ignores_tls_and_still_exits_0,
        ignore: None,
    },
    Test {
        name: "task_model::malformed_flags_are_usage_errors",
        run: task_model::malformed_flags_are_usage_errors,
        ignore: None,
    },
    Test {
        name: "usage::malformed_flags_exit_64",
        run: usage::malformed_flags_exit_64,
        ignore: None,
    },
    Test {
        name: "usage::equal_ports_from_a_values_file_are_a_data_error",
        run: usage::equal_ports_from_a_values_file_are_a_data_error,
        ignore: None,
    },
    Test {
        name: "usage::check_and_cleanup_help_lists_only_their_flags",
        run: usage::check_and_cleanup_help_lists_only_their_flags,
        ignore: None,
    },
    Test {
        name: "usage::env_help_has_no_stray_equals_sign",
        run: usage::env_help_has_no_stray_equals_sign,
        ignore: None,
    },
    Test {
        name: "usage::output_values_keep_their_old_names_as_aliases",
        run: usage::output_values_keep_their_old_names_as_aliases,
        ignore: None,
    },
    Test {
        name: "validate::credential_name_on_a_sidecar",
        run: validate::credential_name_on_a_sidecar,
        ignore: None,
    },
    Test {
        name: "validate::tls_on_an_http_port",
        run: validate::tls_on_an_http_port,
        ignore: None,
    },
    Test {
        name: "validate::mutual_without_a_ca_bundle",
        run: validate::mutual_without_a_ca_bundle,
        ignore: None,
    },
    Test {
        name: "validate::istio_mutual_on_a_sidecar_ingress",
        run: validate::istio_mutual_on_a_sidecar_ingress,
        ignore: None,
    },
    Test {
        name: "validate::bad_default_endpoint_host",
        run: validate::bad_default_endpoint_host,
        ignore: None,
    },
    Test {
        name: "validate::default_endpoint_without_a_port",
        run: validate::default_endpoint_without_a_port,
        ignore: None,
    },
    Test {
        name: "validate::port_out_of_range",
        run: validate::port_out_of_range,
        ignore: None,
    },
    Test {
        name: "validate::unknown_protocol",
        run: validate::unknown_protocol,
        ignore: None,
    },
    Test {
        name: "validate::invalid_port_name",
        run: validate::invalid_port_name,
        ignore: None,
    },
    Test {
        name: "validate::subject_alt_names_https_redirect_and_missing_files",
        run: validate::subject_alt_names_https_redirect_and_missing_files,
        ignore: None,
    },
    Test {
        name: "validate::duplicate_ingress_port",
        run: validate::duplicate_ingress_port,
        ignore: None,
    },
    Test {
        name: "validate::port_level_mtls_without_a_selector",
        run: validate::port_level_mtls_without_a_selector,
        ignore: None,
    },
    Test {
        name: "validate::empty_and_out_of_range_port_level_mtls",
        run: validate::empty_and_out_of_range_port_level_mtls,
        ignore: None,
    },
    Test {
        name: "validate::warnings_do_not_fail",
        run: validate::warnings_do_not_fail,
        ignore: None,
    },
    Test {
        name: "validate::crd_schema_checks",
        run: validate::crd_schema_checks,
        ignore: None,
    },
    Test {
        name: "validate::errors_come_before_warnings_with_a_summary",
        run: validate::errors_come_before_warnings_with_a_summary,
        ignore: None,
    },
    Test {
        name: "validate::json_output_lists_errors_and_warnings_apart",
        run: validate::json_output_lists_errors_and_warnings_apart,
        ignore: None,
    },
    Test {
        name: "validate::malformed_yaml_gets_line_and_column",
        run: validate::malformed_yaml_gets_line_and_column,
        ignore: None,
    },
    Test {
        name: "validate::the_rendered_task_is_clean_from_stdin",
        run: validate::the_rendered_task_is_clean_from_stdin,
        ignore: None,
    },
    Test {
        name: "validate::unserved_api_version",
        run: validate::unserved_api_version,
        ignore: None,
    },
    Test {
        name: "validate::every_other_rule_has_its_message",
        run: validate::every_other_rule_has_its_message,
        ignore: None,
    },
    Test {
        name: "verify::verify_passes_every_check_against_the_meshtls_sidecar",
        run: verify::verify_passes_every_check_against_the_meshtls_sidecar,
        ignore: None,
    },
    Test {
        name: "verify::verify_reads_names_and_ports_from_the_rendered_manifests",
        run: verify::verify_reads_names_and_ports_from_the_rendered_manifests,
        ignore: None,
    },
    Test {
        name: "verify::a_simple_mode_sidecar_fails_the_client_certificate_checks_with_exit_3",
        run: verify::a_simple_mode_sidecar_fails_the_client_certificate_checks_with_exit_3,
        ignore: None,
    },
    Test {
        name: "verify::unreachable_listeners_and_another_ca_fail_the_checks",
        run: verify::unreachable_listeners_and_another_ca_fail_the_checks,
        ignore: None,
    },
    Test {
        name: "verify::the_page_openssl_v1_certificates_pass_with_a_warning",
        run: verify::the_page_openssl_v1_certificates_pass_with_a_warning,
        ignore: None,
    },
    Test {
        name: "verify::verify_without_a_mesh_ca_skips_the_in_mesh_check_and_says_why",
        run: verify::verify_without_a_mesh_ca_skips_the_in_mesh_check_and_says_why,
        ignore: None,
    },
    Test {
        name: "verify::bad_verify_command_lines_exit_64_and_missing_files_exit_1",
        run: verify::bad_verify_command_lines_exit_64_and_missing_files_exit_1,
        ignore: None,
    },
    Test {
        name: "verify::demo_runs_the_whole_page_and_cleans_up",
        run: verify::demo_runs_the_whole_page_and_cleans_up,
        ignore: None,
    },
    Test {
        name: "verify::demo_keeps_its_folder_with_dir",
        run: verify::demo_keeps_its_folder_with_dir,
        ignore: None,
    },
    Test {
        name: "verify::demo_with_a_simple_sidecar_fails_at_verify_with_exit_3_and_keeps_its_files",
        run: verify::demo_with_a_simple_sidecar_fails_at_verify_with_exit_3_and_keeps_its_files,
        ignore: None,
    },
    Test {
        name: "verify::demo_says_which_step_failed_when_a_port_is_taken",
        run: verify::demo_says_which_step_failed_when_a_port_is_taken,
        ignore: None,
    },
    Test {
        name: "verify::demo_keep_leaves_the_sidecar_up_with_commands_that_work",
        run: verify::demo_keep_leaves_the_sidecar_up_with_commands_that_work,
        ignore: None,
    },
    Test {
        name: "verify::verify_passes_against_meshtls_proxy_started_from_the_rendered_yaml",
        run: verify::verify_passes_against_meshtls_proxy_started_from_the_rendered_yaml,
        ignore: None,
    },
    Test {
        name: "verify::demo_json_is_one_summary",
        run: verify::demo_json_is_one_summary,
        ignore: None,
    },
    Test {
        name: "verify_envoy::verify_passes_against_a_real_envoy_and_fails_its_simple_mode_listener",
        run: verify_envoy::verify_passes_against_a_real_envoy_and_fails_its_simple_mode_listener,
        ignore: None,
    },
    Test {
        name: "version::version_prints_the_build",
        run: version::version_prints_the_build,
        ignore: None,
    },
    Test {
        name: "widths::the_verify_table_fits_a_terminal_and_is_whole_when_piped",
        run: widths::the_verify_table_fits_a_terminal_and_is_whole_when_piped,
        ignore: None,
    },
    Test {
        name: "widths::the_certgen_table_fits_a_terminal_and_is_whole_when_piped",
        run: widths::the_certgen_table_fits_a_terminal_and_is_whole_when_piped,
        ignore: None,
    },
    Test {
        name: "hostile::idle_h2_and_http1_connections_are_closed_after_the_idle_timeout",
        run: hostile::idle_h2_and_http1_connections_are_closed_after_the_idle_timeout,
        ignore: None,
    },
    Test {
        name: "hostile::fd_limit_child",
        run: hostile::fd_limit_child,
        ignore: Some("the child process of the_good_client_is_served_or_refused_cleanly_at_the_connection_limit"),
    },
    Test {
        name: "hostile::the_good_client_is_served_or_refused_cleanly_at_the_connection_limit",
        run: hostile::the_good_client_is_served_or_refused_cleanly_at_the_connection_limit,
        ignore: None,
    },
    Test {
        name: "hostile::the_app_the_log_and_envoy_see_one_authority",
        run: hostile::the_app_the_log_and_envoy_see_one_authority,
        ignore: None,
    },
    Test {
        name: "hostile::heads_past_60_kib_or_100_headers_get_envoys_answer_on_both_protocols",
        run: hostile::heads_past_60_kib_or_100_headers_get_envoys_answer_on_both_protocols,
        ignore: None,
    },
    Test {
        name: "hostile::a_request_the_codec_rejects_is_counted_and_logged",
        run: hostile::a_request_the_codec_rejects_is_counted_and_logged,
        ignore: None,
    },
    Test {
        name: "hostile::a_malformed_chunked_body_gets_400_and_the_apps_counters_stay",
        run: hostile::a_malformed_chunked_body_gets_400_and_the_apps_counters_stay,
        ignore: None,
    },
    Test {
        name: "hostile::connect_gets_envoys_404",
        run: hostile::connect_gets_envoys_404,
        ignore: None,
    },
    Test {
        name: "hostile::paths_reach_the_app_normalised_as_istios_envoy_forwards_them",
        run: hostile::paths_reach_the_app_normalised_as_istios_envoy_forwards_them,
        ignore: None,
    },
    Test {
        name: "hostile::a_hung_app_gets_envoys_504_after_the_response_timeout",
        run: hostile::a_hung_app_gets_envoys_504_after_the_response_timeout,
        ignore: None,
    },
    Test {
        name: "hostile::hostile_requests_get_the_answers_a_real_envoy_gives",
        run: hostile::hostile_requests_get_the_answers_a_real_envoy_gives,
        ignore: None,
    },
    Test {
        name: "revocation::a_revoked_client_gets_envoys_alert_and_counter_and_a_new_crl_applies_within_2_seconds",
        run: revocation::a_revoked_client_gets_envoys_alert_and_counter_and_a_new_crl_applies_within_2_seconds,
        ignore: None,
    },
    Test {
        name: "revocation::the_pages_openssl_v1_client_is_checked_against_the_crl_too",
        run: revocation::the_pages_openssl_v1_client_is_checked_against_the_crl_too,
        ignore: None,
    },
    Test {
        name: "revocation::a_crl_from_another_ca_or_a_broken_crl_never_lets_a_client_in",
        run: revocation::a_crl_from_another_ca_or_a_broken_crl_never_lets_a_client_in,
        ignore: None,
    },
    Test {
        name: "tls_edges::a_mesh_peer_of_another_trust_domain_fails_the_handshake_as_envoy_fails_it",
        run: tls_edges::a_mesh_peer_of_another_trust_domain_fails_the_handshake_as_envoy_fails_it,
        ignore: None,
    },
    Test {
        name: "tls_edges::cipher_choice_follows_envoys_order",
        run: tls_edges::cipher_choice_follows_envoys_order,
        ignore: None,
    },
    Test {
        name: "tls_edges::a_client_with_unknown_alpn_is_served_http1_as_envoy_serves_it",
        run: tls_edges::a_client_with_unknown_alpn_is_served_http1_as_envoy_serves_it,
        ignore: None,
    },
    Test {
        name: "tls_edges::an_sslv2_client_hello_is_reset_as_istios_envoy_resets_it",
        run: tls_edges::an_sslv2_client_hello_is_reset_as_istios_envoy_resets_it,
        ignore: None,
    },
    Test {
        name: "tls_edges::ssl_counters_have_envoys_names_and_values",
        run: tls_edges::ssl_counters_have_envoys_names_and_values,
        ignore: None,
    },
    Test {
        name: "no_key_leaks::no_command_prints_key_material_on_malformed_input",
        run: no_key_leaks::no_command_prints_key_material_on_malformed_input,
        ignore: None,
    },
    Test {
        name: "no_key_leaks::a_huge_wrong_typed_string_gives_a_short_error",
        run: no_key_leaks::a_huge_wrong_typed_string_gives_a_short_error,
        ignore: None,
    },
];
