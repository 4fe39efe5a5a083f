using CnnDistributed.Protocol.Messages;
using CnnDistributed.Protocol.V1;
using Google.Protobuf;
using Grpc.Core;

namespace CnnDistributed.Coordinator.Hosting;

/// <summary>
/// The binding of training.proto's <c>TrainingCoordinator</c> service, written by hand in place of the generated base
/// class so that workers' messages are read with <see cref="WorkStreamMethods.ForCoordinator"/> (gradients into pooled
/// buffers). The methods and the bytes on the wire are those of the generated code. gRPC for ASP.NET Core binds the
/// overrides of these abstract methods.
/// </summary>
[BindServiceMethod(typeof(TrainingCoordinatorServiceBase), nameof(BindService))]
public abstract class TrainingCoordinatorServiceBase
{
    /// <summary>
    /// <c>Register</c> as the coordinator reads it: a request that is not a <see cref="RegisterRequest"/> is answered
    /// with InvalidArgument naming the fault, where gRPC would log the parser's stack trace and answer "Exception was
    /// thrown by handler".
    /// </summary>
    private static readonly Method<RegisterRequest, RegisterReply> Registration = new(
        MethodType.Unary,
        WorkStreamMethods.Register.ServiceName,
        WorkStreamMethods.Register.Name,
        Marshallers.Create(WorkStreamMethods.Register.RequestMarshaller.ContextualSerializer, ReadRegistration),
        WorkStreamMethods.Register.ResponseMarshaller);

    /// <summary><c>Register</c>: admits a worker to the job or refuses it.</summary>
    public abstract Task<RegisterReply> Register(RegisterRequest request, ServerCallContext context);

    /// <summary><c>Work</c>: a registered worker's stream of assignments out and results in.</summary>
    public abstract Task Work(
        IAsyncStreamReader<ReceivedResult> requestStream,
        IServerStreamWriter<CoordinatorMessage> responseStream,
        ServerCallContext context);

    /// <summary>Registers the methods with gRPC (ASP.NET Core calls it with a null service to discover them).</summary>
    public static void BindService(ServiceBinderBase binder, TrainingCoordinatorServiceBase? service)
    {
        binder.AddMethod(Registration, service is null ? null : service.Register);
        binder.AddMethod(WorkStreamMethods.ForCoordinator, service is null ? null : service.Work);
    }

    private static RegisterRequest ReadRegistration(DeserializationContext context)
    {
        try
        {
            return WorkStreamMethods.Register.RequestMarshaller.ContextualDeserializer(context);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"malformed registration: {e.Message}"));
        }
    }
}
