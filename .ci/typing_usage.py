"""User code as the README shows it, for the type checkers only (never run): `.ci/run` checks it
with mypy --strict and pyright, and each assert_type fails the check if chatlib's types drift."""
import asyncio
import dataclasses
from typing import Any, AsyncIterator, Dict, Iterator, List, Literal, Optional

from typing_extensions import assert_type

import chatlib


def sync_calls() -> None:
    client = chatlib.Client(api_key="sk-test", base_url="http://127.0.0.1:8080/v1", organization="org-1")
    chat = client.chat()
    assert_type(chat, chatlib.Chat)

    # keyword calls with dict messages, typed answers
    response = chat.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Say hello"}],
                           temperature=0.2)
    assert_type(response, chatlib.CreateChatCompletionResponse)
    assert_type(response.choices, List[chatlib.ChatChoice])
    assert_type(response.choices[0].message, chatlib.ChatCompletionResponseMessage)
    assert_type(response.choices[0].message.content, Optional[str])
    assert_type(response.id, str)
    print(response.usage.total_tokens if response.usage else None)

    # a request built from the dataclasses
    request = chatlib.CreateChatCompletionRequest(
        model="gpt-4o-mini", messages=[chatlib.ChatCompletionRequestUserMessage(content="Say hello")])
    assert_type(chat.create(request), chatlib.CreateChatCompletionResponse)
    assert_type(chatlib.CreateChatCompletionResponse.from_dict({}), chatlib.CreateChatCompletionResponse)
    assert_type(request.to_dict(), Dict[str, Any])

    # bring your own types
    reply = chat.create_byot({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]})
    assert_type(reply, Dict[str, Any])

    # streams, typed by what they yield
    stream = chat.create_stream(model="gpt-4o-mini", messages=[{"role": "user", "content": "Count"}])
    for chunk in stream:
        assert_type(chunk, chatlib.CreateChatCompletionStreamResponse)
        for choice in chunk.choices:
            print(choice.delta.content or "", end="")
    assert_type(stream.final(), chatlib.CreateChatCompletionResponse)
    with chat.create_stream_byot({"model": "m", "stream": True, "messages": []}) as raw_stream:
        for raw_chunk in raw_stream:
            assert_type(raw_chunk, Dict[str, Any])
        assert_type(raw_stream.final(), Dict[str, Any])
        print(raw_stream.response.request_id)

    # the other endpoints, keywords and dataclasses alike
    assert_type(chat.list(model="gpt-4o-mini", limit=20), chatlib.ChatCompletionList)
    assert_type(chat.retrieve("chatcmpl-1"), chatlib.CreateChatCompletionResponse)
    assert_type(chat.update("chatcmpl-1", metadata={"k": "v"}), chatlib.CreateChatCompletionResponse)
    assert_type(chat.delete("chatcmpl-1"), chatlib.ChatCompletionDeleted)
    assert_type(chat.messages("chatcmpl-1", limit=5), chatlib.ChatCompletionMessageList)
    assert_type(chat.list_all(), Iterator[chatlib.CreateChatCompletionResponse])
    assert_type(chat.messages_all("chatcmpl-1"), Iterator[chatlib.ChatCompletionMessageListItem])
    assert_type(chat.list_all_byot(), Iterator[Dict[str, Any]])

    # with_response: APIResponse of the right data
    r = chat.with_response.create_byot({"model": "gpt-4o-mini", "messages": []})
    assert_type(r, chatlib.APIResponse[Dict[str, Any]])
    typed = chat.with_response.retrieve("chatcmpl-1")
    assert_type(typed.data, chatlib.CreateChatCompletionResponse)
    print(typed.status_code, typed.request_id, typed.headers.get("x"))

    quick = client.with_options(max_retries=0, timeout=10)
    assert_type(quick, chatlib.Client)


def get_weather(city: str, unit: Literal["C", "F"] = "C") -> Dict[str, Any]:
    """The weather now in a city."""
    return {"city": city, "temperature": 18, "unit": unit}


def tool_loop(chat: chatlib.Chat) -> None:
    tools = [chatlib.function_tool(get_weather)]
    assert_type(tools, List[chatlib.ChatCompletionTool])
    messages: List[chatlib.ChatCompletionRequestMessage] = [
        chatlib.ChatCompletionRequestUserMessage(content="Weather in Paris and Oslo?")]
    while True:
        response = chat.create(model="gpt-4o-mini", messages=messages, tools=tools)
        message = response.choices[0].message
        messages.append(message.to_request())
        if not message.tool_calls:
            break
        messages += chatlib.run_tool_calls(message, [get_weather])
    kwargs = chatlib.parse_arguments(get_weather, '{"city": "Paris"}')
    assert_type(kwargs, Dict[str, Any])


@dataclasses.dataclass
class Recipe:
    title: str
    minutes: int
    steps: List[str]


def structured(chat: chatlib.Chat) -> None:
    completion = chat.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Soup"}],
                             response_format=chatlib.response_format(Recipe))
    try:
        recipe = chatlib.parse_completion(completion, Recipe)
        assert_type(recipe, Recipe)
        print(recipe.title, recipe.minutes)
    except chatlib.RefusalError as refused:
        print("refused:", refused.refusal)
    except chatlib.APIStatusError as err:
        assert_type(err.status_code, int)


async def async_calls() -> None:
    async with chatlib.AsyncClient() as client:
        chat = client.chat()
        assert_type(chat, chatlib.AsyncChat)
        response = await chat.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello"}])
        assert_type(response, chatlib.CreateChatCompletionResponse)
        reply = await chat.create_byot({"model": "gpt-4o-mini", "messages": []})
        assert_type(reply, Dict[str, Any])
        stream = await chat.create_stream(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}])
        async with stream:
            async for chunk in stream:
                assert_type(chunk, chatlib.CreateChatCompletionStreamResponse)
            assert_type(await stream.final(), chatlib.CreateChatCompletionResponse)
        raw = await chat.create_stream_byot({"model": "m", "stream": True, "messages": []})
        async for raw_chunk in raw:
            assert_type(raw_chunk, Dict[str, Any])
        pages = chat.list_all()
        assert_type(pages, AsyncIterator[chatlib.CreateChatCompletionResponse])
        async for completion in pages:
            print(completion.id)
        r = await chat.with_response.retrieve("chatcmpl-1")
        assert_type(r, chatlib.APIResponse[chatlib.CreateChatCompletionResponse])
        tools = await chatlib.arun_tool_calls(response.choices[0].message, [get_weather])
        assert_type(tools, List[chatlib.ChatCompletionRequestToolMessage])


if __name__ == "__main__":
    asyncio.run(async_calls())
