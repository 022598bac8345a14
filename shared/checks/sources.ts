// Where the facts behind the checks come from, cited in each check's metadata and in docs/checks.md. TensorBoard's
// strings were read from tensorflow/tensorboard at commit 70b76c9 (2026-06-30); the AzureML shapes from the REST
// specification (Azure/azure-rest-api-specs) as @azure/arm-machinelearning 2.1.1 (api-version 2022-10-01) types them.

export const TB_PROGRAM = 'tensorflow/tensorboard `tensorboard/program.py` (serving line `TensorBoard %s at %s`, bind errors, `--load_fast`, `Could not start data server: %s.` then sys.exit(1))';
export const TB_DATA_SERVER = 'tensorflow/tensorboard `tensorboard/data/server_ingester.py` (`Failed to communicate with data server at %s: %s`, `Timed out while waiting for data server to start`)';
export const TB_PATH_PREFIX = 'tensorflow/tensorboard `tensorboard/backend/path_prefix.py` (PathPrefixMiddleware: a request outside the prefix is a 404)';
export const AML_NOTEBOOKS_1659 = 'https://github.com/Azure/MachineLearningNotebooks/issues/1659 (the URL `azureml.tensorboard`\'s tb.start() returns on a compute instance works once TensorBoard runs)';
export const AML_COMPUTE_SPEC = 'Azure/azure-rest-api-specs `specification/machinelearningservices/resource-manager/Microsoft.MachineLearningServices/stable/2024-04-01/machineLearningServices.json` (ComputeInstanceLastOperation: operationName Create|Start|Stop|Restart|Reimage|Delete, operationStatus InProgress|Succeeded|…Failed, operationTrigger User|Schedule|IdleShutdown; SetupScripts.scripts.startupScript "run every time the machine starts", creationScript "run only once during provision")';
export const AML_JOBS_SPEC = 'Azure/azure-rest-api-specs `…/Microsoft.MachineLearningServices/stable/2024-04-01/mfe.json` (Jobs_List: $skip, jobType, tag, listViewType ActiveOnly|ArchivedOnly|All, no ordering parameter; JobService: jobServiceType, port, endpoint, status, errorMessage; JobStatus: terminal Completed, Failed, Canceled)';
export const AML_JOB_SERVICES_DOC = 'https://learn.microsoft.com/azure/machine-learning/how-to-interactive-jobs (services `type: tensor_board`; apps reachable only while the job is Running)';
export const AML_NETWORK_DOC = 'https://learn.microsoft.com/azure/machine-learning/how-to-access-azureml-behind-firewall and https://learn.microsoft.com/azure/machine-learning/concept-secure-network-traffic-flow';
export const KERNEL_OOM = 'torvalds/linux `mm/oom_kill.c` (`Out of memory: Killed process %d (%s)`)';
export const AML_JOB_COMPUTE = 'Azure/azure-rest-api-specs `…/Microsoft.MachineLearningServices/stable/2024-04-01/mfe.json` (JobBase `computeId`, optional: "ARM resource ID of the compute resource."; @azure/arm-machinelearning JobBaseProperties.computeId says the same)';
export const AML_SERVERLESS_DOC = 'https://learn.microsoft.com/azure/machine-learning/how-to-use-serverless-compute (a job without a compute target runs on serverless compute: AzureML manages it, there is no workspace compute to read)';
export const AML_JOB_LOGS_DOC = 'https://learn.microsoft.com/azure/machine-learning/how-to-log-view-metrics (a job\'s logs are files in the job\'s outputs — user_logs/std_log.txt, system_logs/ — not the nodes\' Syslog)';
