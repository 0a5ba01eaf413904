#include "sim/kubeconfig_writer.hpp"

#include <stdexcept>

#include <yaml-cpp/yaml.h>

#include "base/base64.hpp"

namespace ambient::sim {

std::string write_kubeconfig(const kubeconfig_spec& spec) {
  const std::string user_name = spec.cluster_name + "-admin";
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "v1";
  out << YAML::Key << "kind" << YAML::Value << "Config";
  out << YAML::Key << "preferences" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::EndMap;

  out << YAML::Key << "clusters" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << spec.cluster_name;
  out << YAML::Key << "cluster" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "server" << YAML::Value << spec.server;
  if (!spec.ca_pem.empty())
    out << YAML::Key << "certificate-authority-data" << YAML::Value
        << base::encode_base64(spec.ca_pem);
  if (!spec.tls_server_name.empty())
    out << YAML::Key << "tls-server-name" << YAML::Value << spec.tls_server_name;
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;

  out << YAML::Key << "users" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << user_name;
  out << YAML::Key << "user" << YAML::Value << YAML::BeginMap;
  if (!spec.token.empty())
    out << YAML::Key << "token" << YAML::Value << spec.token;
  if (!spec.client_cert_pem.empty() && !spec.client_key_pem.empty()) {
    out << YAML::Key << "client-certificate-data" << YAML::Value
        << base::encode_base64(spec.client_cert_pem);
    out << YAML::Key << "client-key-data" << YAML::Value
        << base::encode_base64(spec.client_key_pem);
  }
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;

  out << YAML::Key << "contexts" << YAML::Value << YAML::BeginSeq << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << spec.cluster_name;
  out << YAML::Key << "context" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "cluster" << YAML::Value << spec.cluster_name;
  out << YAML::Key << "user" << YAML::Value << user_name;
  if (!spec.namespace_.empty())
    out << YAML::Key << "namespace" << YAML::Value << spec.namespace_;
  out << YAML::EndMap << YAML::EndMap << YAML::EndSeq;

  out << YAML::Key << "current-context" << YAML::Value << spec.cluster_name;
  out << YAML::EndMap;
  if (!out.good())
    throw std::logic_error("kubeconfig_writer: " + out.GetLastError()); // emitter misuse: a bug
  std::string text = out.c_str();
  text += '\n';
  return text;
}

} // namespace ambient::sim
