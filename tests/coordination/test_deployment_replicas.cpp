// deploy/kubernetes/deployment-replicas.yaml says what docs/coordination.md promises: three replicas with the
// probes of deployment.yaml, a coordination section whose Redis settings resolve, the password file mounted
// where the config reads it, and a Service that keeps a client on one replica.
#include "coordination/redis_options.hpp"

#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <string>

using namespace nds::coordination;

TEST_CASE("deployment: the replicas example runs 3 coordinated replicas with probes and a Redis password file") {
    auto all = YAML::LoadAllFromFile(std::string(NDS_SOURCE_DIR) + "/deploy/kubernetes/deployment-replicas.yaml");
    REQUIRE(all.size() == 4);
    auto map = all[0];
    auto deployment = all[1];
    auto service = all[2];
    CHECK(map["kind"].as<std::string>() == "ConfigMap");
    CHECK(deployment["kind"].as<std::string>() == "Deployment");
    CHECK(service["kind"].as<std::string>() == "Service");
    CHECK(all[3]["kind"].as<std::string>() == "PodDisruptionBudget");

    CHECK(deployment["spec"]["replicas"].as<int>() == 3);
    auto pod = deployment["spec"]["template"]["spec"];
    CHECK(pod["securityContext"]["runAsNonRoot"].as<bool>());
    auto container = pod["containers"][0];
    CHECK(container["image"].as<std::string>() == "netbox-dhcp-sync:latest");
    CHECK(container["args"][0].as<std::string>() == "run");
    CHECK(container["livenessProbe"]["httpGet"]["path"].as<std::string>() == "/healthz");
    CHECK(container["readinessProbe"]["httpGet"]["path"].as<std::string>() == "/readyz");
    CHECK(service["spec"]["sessionAffinity"].as<std::string>() == "ClientIP");

    // The config the pods read: the ConfigMap mounted, its coordination section valid.
    std::string config_map_name;
    std::string secret_name, secret_key, secret_path;
    for (const auto& volume : pod["volumes"]) {
        if (volume["configMap"]) config_map_name = volume["configMap"]["name"].as<std::string>();
        if (volume["secret"]) {
            secret_name = volume["secret"]["secretName"].as<std::string>();
            secret_key = volume["secret"]["items"][0]["key"].as<std::string>();
            secret_path = volume["secret"]["items"][0]["path"].as<std::string>();
        }
    }
    CHECK(config_map_name == map["metadata"]["name"].as<std::string>());
    CHECK(secret_name == "netbox-dhcp-sync-redis");
    CHECK(secret_key == "password");
    std::string mount_path;
    for (const auto& mount : container["volumeMounts"])
        if (mount["name"].as<std::string>() == "redis-password") mount_path = mount["mountPath"].as<std::string>();

    auto config = YAML::Load(map["data"]["config.yaml"].as<std::string>());
    auto redis = config["coordination"]["redis"];
    REQUIRE(redis);
    CHECK(redis["password_file"].as<std::string>() == mount_path + "/" + secret_path);
    RedisOptions options;
    options.url = redis["url"].as<std::string>();
    options.tls = redis["tls"].as<bool>();
    options.key_prefix = redis["key_prefix"].as<std::string>();
    options.password = "from-the-file";
    auto resolved = resolve_redis_options(options);
    REQUIRE_MESSAGE(resolved, (resolved ? "" : resolved.error().message));
    CHECK(resolved->endpoint.username == "netbox-dhcp-sync");
    CHECK(resolved->endpoint.db == 2);
}
